import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { RefreshToken, Session, User } from "../schema.ts";
import type { NewAuditEvent } from "./audit-events.ts";

const expiresIn = (seconds: number) => sql<Date>`now() + make_interval(secs => ${seconds})`;

export interface NewSignIn {
  sessionId: string;
  userId: string;
  ip: string;
  userAgent: string;
  /** Hash of the session's first refresh token (the raw token never reaches the database). */
  refreshTokenHash: string;
  ttlSeconds: number;
  /** A rehash of the password with current parameters, stored with the sign-in. */
  newPasswordHash?: string | undefined;
  /** The `login_succeeded` event, written by the same statement. */
  auditEvent: NewAuditEvent;
}

/**
 * A sign-in's writes as one statement, atomic without a transaction of its own (and an eighth of
 * the round trips): the sign-in stamped on the user (failure count cleared, an upgraded password
 * hash stored), the session, its first refresh token and the audit event.
 */
export async function insertSignIn(db: Executor, signIn: NewSignIn): Promise<{ user: User; session: Session }> {
  const expiresAt = expiresIn(signIn.ttlSeconds);
  const row = await db
    .with("signed_in", (q) =>
      q
        .updateTable("users")
        .set({
          failed_login_count: 0,
          last_login_at: sql`now()`,
          updated_at: sql`now()`,
          ...(signIn.newPasswordHash ? { password_hash: signIn.newPasswordHash } : {}),
        })
        .where("id", "=", signIn.userId)
        .returningAll(),
    )
    .with("new_session", (q) =>
      q
        .insertInto("sessions")
        .values({
          id: signIn.sessionId,
          user_id: signIn.userId,
          ip: signIn.ip,
          user_agent: signIn.userAgent,
          expires_at: expiresAt,
        })
        .returning(["created_at", "last_used_at", "expires_at"]),
    )
    .with("first_token", (q) =>
      q.insertInto("refresh_tokens").values({
        session_id: signIn.sessionId,
        token_hash: signIn.refreshTokenHash,
        expires_at: expiresAt,
      }),
    )
    .with("audit", (q) => q.insertInto("audit_events").values(signIn.auditEvent))
    .selectFrom(["signed_in", "new_session"])
    .selectAll("signed_in")
    .select([
      "new_session.created_at as session_created_at",
      "new_session.last_used_at as session_last_used_at",
      "new_session.expires_at as session_expires_at",
    ])
    .executeTakeFirstOrThrow();
  const { session_created_at, session_last_used_at, session_expires_at, ...user } = row;
  const session: Session = {
    id: signIn.sessionId,
    user_id: signIn.userId,
    created_at: session_created_at,
    last_used_at: session_last_used_at,
    expires_at: session_expires_at,
    revoked_at: null,
    revoked_reason: null,
    ip: signIn.ip,
    user_agent: signIn.userAgent,
  };
  return { user, session };
}

export type LockedRefreshToken = RefreshToken & { expired: boolean; rotated_seconds_ago: number | null };

/** The refresh token with this hash, locked for the rest of the transaction; times by the database's clock. */
export async function lockRefreshToken(trx: Executor, tokenHash: string): Promise<LockedRefreshToken | undefined> {
  const row = await trx
    .selectFrom("refresh_tokens")
    .selectAll()
    .select(sql<boolean>`expires_at <= now()`.as("expired"))
    .select(sql<number | null>`extract(epoch from now() - rotated_at)`.as("rotated_seconds_ago"))
    .where("token_hash", "=", tokenHash)
    .forUpdate()
    .executeTakeFirst();
  return (
    row && { ...row, rotated_seconds_ago: row.rotated_seconds_ago === null ? null : Number(row.rotated_seconds_ago) }
  );
}

/** A session, locked for the rest of the transaction, with whether it has expired by the database's clock. */
export function lockSession(trx: Executor, sessionId: string): Promise<(Session & { expired: boolean }) | undefined> {
  return trx
    .selectFrom("sessions")
    .selectAll()
    .select(sql<boolean>`expires_at <= now()`.as("expired"))
    .where("id", "=", sessionId)
    .forUpdate()
    .executeTakeFirst();
}

/** Marks a session used now and starts its idle lifetime again. */
export function extendSession(db: Executor, sessionId: string, ttlSeconds: number): Promise<Session> {
  return db
    .updateTable("sessions")
    .set({ last_used_at: sql`now()`, expires_at: expiresIn(ttlSeconds) })
    .where("id", "=", sessionId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertRefreshToken(
  db: Executor,
  token: { sessionId: string; tokenHash: string; expiresAt: Date },
): Promise<string> {
  const row = await db
    .insertInto("refresh_tokens")
    .values({ session_id: token.sessionId, token_hash: token.tokenHash, expires_at: token.expiresAt })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Records a token's rotation, with its successor sealed so a concurrent tab can be given the same one. */
export async function markRefreshTokenRotated(
  db: Executor,
  tokenId: string,
  successor: { id: string; sealed: string },
): Promise<void> {
  await db
    .updateTable("refresh_tokens")
    .set({ rotated_at: sql`now()`, successor_id: successor.id, successor_sealed: successor.sealed })
    .where("id", "=", tokenId)
    .execute();
}

/** The session a refresh token (rotated or not) belongs to. */
export async function findSessionIdByRefreshTokenHash(db: Executor, tokenHash: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("refresh_tokens")
    .select("session_id")
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
  return row?.session_id;
}

/**
 * Ends one session; resolves with it, or undefined when it was already ended or (with `ownerId`)
 * is not that user's.
 */
export function revokeSession(
  db: Executor,
  sessionId: string,
  reason: string,
  ownerId?: string,
): Promise<Session | undefined> {
  let query = db
    .updateTable("sessions")
    .set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where("id", "=", sessionId)
    .where("revoked_at", "is", null);
  if (ownerId) query = query.where("user_id", "=", ownerId);
  return query.returningAll().executeTakeFirst();
}

/** Ends every live session of a user (but `exceptSessionId`); resolves with the ids ended. */
export async function revokeUserSessions(
  db: Executor,
  userId: string,
  reason: string,
  exceptSessionId?: string,
): Promise<string[]> {
  let query = db
    .updateTable("sessions")
    .set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null);
  if (exceptSessionId) query = query.where("id", "!=", exceptSessionId);
  const rows = await query.returning("id").execute();
  return rows.map((row) => row.id);
}

/** Live sessions of a user, newest first. */
export function listActiveSessions(db: Executor, userId: string): Promise<Session[]> {
  return db
    .selectFrom("sessions")
    .selectAll()
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .orderBy("created_at", "desc")
    .execute();
}

/** Sessions ended within the last `seconds` by the database's clock (the one `revoked_at` is read from). */
export async function sessionsRevokedWithin(db: Executor, seconds: number): Promise<string[]> {
  const rows = await db
    .selectFrom("sessions")
    .select("id")
    .where("revoked_at", ">", sql<Date>`now() - make_interval(secs => ${seconds})`)
    .execute();
  return rows.map((row) => row.id);
}

/** Sessions neither revoked nor expired, across the deployment. */
export async function countActiveSessions(db: Executor): Promise<number> {
  const row = await db
    .selectFrom("sessions")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("revoked_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
