import { randomUUID } from "node:crypto";
import { type Database, type Executor, type Kysely, type Session, sql, type User } from "@tidings/db";
import { auditEventRow, type RequestOrigin } from "./audit.ts";
import { openSecret, sealSecret } from "./crypto/index.ts";
import { generateOpaqueToken, hashToken } from "./opaque-token.ts";

export interface SessionSettings {
  /** Lifetime of a refresh token (and so of an idle session); each rotation starts it again. */
  refreshTokenTtlSeconds: number;
  /** A rotated token presented again within this many seconds gets the same successor (concurrent tabs). */
  reuseGraceSeconds: number;
  /** Seals the successor token kept for the grace window. */
  encryptionKey: Buffer;
}

export interface IssuedSession {
  /** The user as the sign-in left it. */
  user: User;
  session: Session;
  refreshToken: string;
}

/**
 * A sign-in's writes as one statement, atomic without a transaction of its own (and an eighth of
 * the round trips): the sign-in stamped on the user (failure count cleared, an upgraded password
 * hash stored), the session, its first refresh token and the `login_succeeded` event (S22).
 */
export async function createSession(
  db: Executor,
  input: {
    userId: string;
    origin: RequestOrigin;
    method: "password" | "email_verification";
    /** A rehash of the password with current parameters (S1), stored with the sign-in. */
    newPasswordHash?: string | undefined;
  },
  settings: SessionSettings,
): Promise<IssuedSession> {
  const sessionId = randomUUID();
  const refreshToken = generateOpaqueToken();
  const ip = input.origin.ip;
  const userAgent = (input.origin.userAgent ?? "").slice(0, 1024);
  const expiresAt = sql<Date>`now() + make_interval(secs => ${settings.refreshTokenTtlSeconds})`;
  const row = await db
    .with("signed_in", (q) =>
      q
        .updateTable("users")
        .set({
          failed_login_count: 0,
          last_login_at: sql`now()`,
          updated_at: sql`now()`,
          ...(input.newPasswordHash ? { password_hash: input.newPasswordHash } : {}),
        })
        .where("id", "=", input.userId)
        .returningAll(),
    )
    .with("new_session", (q) =>
      q
        .insertInto("sessions")
        .values({ id: sessionId, user_id: input.userId, ip, user_agent: userAgent, expires_at: expiresAt })
        .returning(["created_at", "last_used_at", "expires_at"]),
    )
    .with("first_token", (q) =>
      q.insertInto("refresh_tokens").values({
        session_id: sessionId,
        token_hash: hashToken(refreshToken),
        expires_at: expiresAt,
      }),
    )
    .with("audit", (q) =>
      q.insertInto("audit_events").values(
        auditEventRow({
          type: "login_succeeded",
          userId: input.userId,
          origin: input.origin,
          metadata: { sessionId, method: input.method },
        }),
      ),
    )
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
    id: sessionId,
    user_id: input.userId,
    created_at: session_created_at,
    last_used_at: session_last_used_at,
    expires_at: session_expires_at,
    revoked_at: null,
    revoked_reason: null,
    ip,
    user_agent: userAgent,
  };
  return { user, session, refreshToken };
}

export type RefreshOutcome =
  | { kind: "rotated"; session: Session; refreshToken: string }
  /** Unknown or expired token, or a session that has ended. */
  | { kind: "invalid" }
  /** A rotated token presented after the grace window: the session is now revoked. */
  | { kind: "reused"; session: Session };

/**
 * Exchanges a refresh token for its successor. The token row is locked, so of two simultaneous
 * refreshes one rotates and the other (waiting for the lock) finds the token rotated within the
 * grace window and receives the same successor: one session, one new family member.
 */
export function rotateRefreshToken(
  db: Kysely<Database>,
  rawToken: string,
  settings: SessionSettings,
  /** Runs in the transaction that revokes a session for reuse, so what it records commits with it (S22). */
  onReuse?: (trx: Executor, session: Session) => Promise<void>,
): Promise<RefreshOutcome> {
  return db.transaction().execute(async (trx): Promise<RefreshOutcome> => {
    const token = await trx
      .selectFrom("refresh_tokens")
      .selectAll()
      .select(sql<boolean>`expires_at <= now()`.as("expired"))
      .select(sql<number>`extract(epoch from now() - rotated_at)`.as("rotated_seconds_ago"))
      .where("token_hash", "=", hashToken(rawToken))
      .forUpdate()
      .executeTakeFirst();
    if (!token) return { kind: "invalid" };
    const session = await trx
      .selectFrom("sessions")
      .selectAll()
      .select(sql<boolean>`expires_at <= now()`.as("expired"))
      .where("id", "=", token.session_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const { expired: sessionExpired, ...sessionRow } = session;
    if (sessionRow.revoked_at || sessionExpired || token.expired) return { kind: "invalid" };

    if (token.rotated_at) {
      const withinGrace = Number(token.rotated_seconds_ago) <= settings.reuseGraceSeconds;
      if (withinGrace && token.successor_sealed) {
        const successor = openSecret(settings.encryptionKey, token.successor_sealed, token.id);
        return { kind: "rotated", session: sessionRow, refreshToken: successor };
      }
      const revoked = (await revokeSessionRow(trx, sessionRow.id, "refresh_reused")) ?? sessionRow;
      await onReuse?.(trx, revoked);
      return { kind: "reused", session: revoked };
    }

    const successor = generateOpaqueToken();
    const updated = await trx
      .updateTable("sessions")
      .set({
        last_used_at: sql`now()`,
        expires_at: sql<Date>`now() + make_interval(secs => ${settings.refreshTokenTtlSeconds})`,
      })
      .where("id", "=", sessionRow.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const next = await trx
      .insertInto("refresh_tokens")
      .values({ session_id: sessionRow.id, token_hash: hashToken(successor), expires_at: updated.expires_at })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("refresh_tokens")
      .set({
        rotated_at: sql`now()`,
        successor_id: next.id,
        successor_sealed: sealSecret(settings.encryptionKey, successor, token.id),
      })
      .where("id", "=", token.id)
      .execute();
    return { kind: "rotated", session: updated, refreshToken: successor };
  });
}

async function revokeSessionRow(db: Executor, sessionId: string, reason: string): Promise<Session | undefined> {
  return db
    .updateTable("sessions")
    .set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where("id", "=", sessionId)
    .where("revoked_at", "is", null)
    .returningAll()
    .executeTakeFirst();
}

/** Ends one session; resolves with it, or undefined when it was already ended or is not the user's. */
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

/** The session a refresh token belongs to (rotated or not), for limits keyed by session. */
export async function sessionIdForRefreshToken(db: Executor, rawToken: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("refresh_tokens")
    .select("session_id")
    .where("token_hash", "=", hashToken(rawToken))
    .executeTakeFirst();
  return row?.session_id;
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
