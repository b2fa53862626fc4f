import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { User } from "../schema.ts";

export function findUserById(db: Executor, id: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findUserByEmail(db: Executor, emailNormalized: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("email_normalized", "=", emailNormalized).executeTakeFirst();
}

/** Inserts a user unless the email is taken (a concurrent registration may have won); undefined then. */
export function insertUserIfAbsent(
  db: Executor,
  user: { email: string; emailNormalized: string; displayName: string | null; passwordHash: string },
): Promise<User | undefined> {
  return db
    .insertInto("users")
    .values({
      email: user.email,
      email_normalized: user.emailNormalized,
      display_name: user.displayName,
      password_hash: user.passwordHash,
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
