import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { User, UserRole } from "../schema.ts";

export function findUserById(db: Executor, id: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findUserByEmail(db: Executor, emailNormalized: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("email_normalized", "=", emailNormalized).executeTakeFirst();
}

/**
 * Inserts a user unless the email is taken (a concurrent registration may have won); undefined then.
 * `verified` is for accounts made from the command line, whose email counts as confirmed.
 */
export function insertUserIfAbsent(
  db: Executor,
  user: {
    email: string;
    emailNormalized: string;
    displayName: string | null;
    passwordHash: string;
    verified?: boolean;
    role?: UserRole;
  },
): Promise<User | undefined> {
  return db
    .insertInto("users")
    .values({
      email: user.email,
      email_normalized: user.emailNormalized,
      display_name: user.displayName,
      password_hash: user.passwordHash,
      ...(user.verified ? { email_verified_at: sql`now()` } : {}),
      ...(user.role ? { role: user.role } : {}),
    })
    .onConflict((oc) => oc.column("email_normalized").doNothing())
    .returningAll()
    .executeTakeFirst();
}

/**
 * Counts a failed sign-in atomically. Exactly one of any number of concurrent failures sees the
 * count reach the threshold, and only that one reports `lockedNow` (S10: one lockout, one email).
 */
export async function recordFailedLogin(
  db: Executor,
  userId: string,
  threshold: number,
): Promise<{ lockedNow: boolean }> {
  const row = await db
    .updateTable("users")
    .set((eb) => ({
      failed_login_count: eb("failed_login_count", "+", 1),
      locked_at: sql`case when failed_login_count + 1 >= ${threshold} and locked_at is null then now() else locked_at end`,
      updated_at: sql`now()`,
    }))
    .where("id", "=", userId)
    .returning(["failed_login_count"])
    .executeTakeFirst();
  return { lockedNow: row?.failed_login_count === threshold };
}

export async function markEmailVerified(db: Executor, userId: string, makeAdmin: boolean): Promise<User> {
  return db
    .updateTable("users")
    .set({
      email_verified_at: sql`coalesce(email_verified_at, now())`,
      updated_at: sql`now()`,
      ...(makeAdmin ? { role: "admin" as const } : {}),
    })
    .where("id", "=", userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface SignInCandidate {
  user: User;
  /** Whether the user has signed in before at all, and from this user agent (the new-device notice). */
  priorSessions: { any: boolean; sameUserAgent: boolean };
}

/**
 * The account a password sign-in names, and its earlier sessions, in one round trip; each
 * session answer stops at the first match however many sessions the user has.
 */
export async function findUserForSignIn(
  db: Executor,
  emailNormalized: string,
  userAgent: string,
): Promise<SignInCandidate | undefined> {
  const row = await db
    .selectFrom("users")
    .selectAll("users")
    .select((eb) => {
      const sessions = eb.selectFrom("sessions").select(sql<number>`1`.as("one")).whereRef("user_id", "=", "users.id");
      return [
        eb.exists(sessions).as("has_sessions"),
        eb.exists(sessions.where("user_agent", "=", userAgent)).as("has_sessions_from_user_agent"),
      ];
    })
    .where("email_normalized", "=", emailNormalized)
    .executeTakeFirst();
  if (!row) return undefined;
  const { has_sessions, has_sessions_from_user_agent, ...user } = row;
  return { user, priorSessions: { any: Boolean(has_sessions), sameUserAgent: Boolean(has_sessions_from_user_agent) } };
}

export async function setPasswordHash(db: Executor, userId: string, passwordHash: string): Promise<User> {
  return db
    .updateTable("users")
    .set({ password_hash: passwordHash, updated_at: sql`now()` })
    .where("id", "=", userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Lifts a lockout; resolves with the user when it was locked. */
export function unlockUser(db: Executor, userId: string): Promise<User | undefined> {
  return db
    .updateTable("users")
    .set({ locked_at: null, failed_login_count: 0, updated_at: sql`now()` })
    .where("id", "=", userId)
    .where("locked_at", "is not", null)
    .returningAll()
    .executeTakeFirst();
}

export async function userExists(db: Executor, userId: string): Promise<boolean> {
  const row = await db.selectFrom("users").select("id").where("id", "=", userId).executeTakeFirst();
  return row !== undefined;
}

export function setDisplayName(db: Executor, userId: string, displayName: string): Promise<User> {
  return db
    .updateTable("users")
    .set({ display_name: displayName, updated_at: sql`now()` })
    .where("id", "=", userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Disables or enables an account; resolves true only when that changed something. */
export async function setUserDisabled(db: Executor, userId: string, disabled: boolean): Promise<boolean> {
  const changed = await db
    .updateTable("users")
    .set({ disabled_at: disabled ? sql`now()` : null, updated_at: sql`now()` })
    .where("id", "=", userId)
    .where("disabled_at", disabled ? "is" : "is not", null)
    .returning("id")
    .executeTakeFirst();
  return changed !== undefined;
}

/**
 * Gives the admin role to the verified accounts among these (normalized) emails that do not have it
 * yet; resolves with the accounts promoted.
 */
export async function promoteVerifiedUsers(
  db: Executor,
  emailsNormalized: readonly string[],
): Promise<Pick<User, "id" | "email">[]> {
  if (!emailsNormalized.length) return [];
  return db
    .updateTable("users")
    .set({ role: "admin", updated_at: sql`now()` })
    .where("email_normalized", "in", emailsNormalized)
    .where("email_verified_at", "is not", null)
    .where("role", "!=", "admin")
    .returning(["id", "email"])
    .execute();
}

const createdMicros = sql<string>`(extract(epoch from created_at) * 1000000)::bigint`;

export interface UserPage {
  items: User[];
  /** The last row's creation time in microseconds since 1970 and its id, `<micros>_<id>`; null on the last page. */
  nextCursor: string | null;
}

/** Newest first, optionally matching `query` in the email or display name, paged by (created_at, id). */
export async function listUsers(
  db: Executor,
  filter: { query?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<UserPage> {
  let query = db
    .selectFrom("users")
    .selectAll()
    .select(createdMicros.as("created_micros"))
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit + 1);
  if (filter.query) {
    const pattern = `%${filter.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([eb("email_normalized", "like", pattern), eb(sql`lower(display_name)`, "like", pattern)]),
    );
  }
  if (filter.cursor) {
    const [micros, id] = filter.cursor.split("_") as [string, string];
    // Keyset on (created_at, id) at the database's own precision: accounts created in the
    // same microsecond, or within one JavaScript millisecond, are neither skipped nor repeated.
    query = query.where(sql<boolean>`(${createdMicros}, id) < (${micros}::bigint, ${id}::uuid)`);
  }
  const rows = await query.execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ created_micros: _, ...user }) => user),
    nextCursor: rows.length > filter.limit && last ? `${last.created_micros}_${last.id}` : null,
  };
}
