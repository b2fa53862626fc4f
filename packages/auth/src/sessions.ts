import { randomUUID } from "node:crypto";
import {
  type Database,
  type Executor,
  extendSession,
  findSessionIdByRefreshTokenHash,
  insertRefreshToken,
  insertSignIn,
  type Kysely,
  lockRefreshToken,
  lockSession,
  markRefreshTokenRotated,
  revokeSession,
  type Session,
  type User,
} from "@tidings/db";
import { auditEventRow, type RequestOrigin } from "./audit.ts";
import { openSecret, sealSecret } from "./crypto/index.ts";
import { generateOpaqueToken, hashToken } from "./opaque-token.ts";

/** How the identity was proven, recorded with `login_succeeded`. */
export type SignInMethod = "password" | "email_verification" | "totp" | "recovery_code" | "invitation" | "passkey";

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

/** Opens a session for a sign-in: one statement writes it with its first refresh token and `login_succeeded` (S22). */
export async function createSession(
  db: Executor,
  input: {
    userId: string;
    origin: RequestOrigin;
    method: SignInMethod;
    /** A rehash of the password with current parameters (S1), stored with the sign-in. */
    newPasswordHash?: string | undefined;
  },
  settings: SessionSettings,
): Promise<IssuedSession> {
  const sessionId = randomUUID();
  const refreshToken = generateOpaqueToken();
  const { user, session } = await insertSignIn(db, {
    sessionId,
    userId: input.userId,
    ip: input.origin.ip,
    userAgent: (input.origin.userAgent ?? "").slice(0, 1024),
    refreshTokenHash: hashToken(refreshToken),
    ttlSeconds: settings.refreshTokenTtlSeconds,
    newPasswordHash: input.newPasswordHash,
    auditEvent: auditEventRow({
      type: "login_succeeded",
      userId: input.userId,
      origin: input.origin,
      metadata: { sessionId, method: input.method },
    }),
  });
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
    const token = await lockRefreshToken(trx, hashToken(rawToken));
    if (!token) return { kind: "invalid" };
    const locked = await lockSession(trx, token.session_id);
    if (!locked) return { kind: "invalid" };
    const { expired: sessionExpired, ...session } = locked;
    if (session.revoked_at || sessionExpired || token.expired) return { kind: "invalid" };

    if (token.rotated_at) {
      const withinGrace = Number(token.rotated_seconds_ago) <= settings.reuseGraceSeconds;
      if (withinGrace && token.successor_sealed) {
        const successor = openSecret(settings.encryptionKey, token.successor_sealed, token.id);
        return { kind: "rotated", session, refreshToken: successor };
      }
      const revoked = (await revokeSession(trx, session.id, "refresh_reused")) ?? session;
      await onReuse?.(trx, revoked);
      return { kind: "reused", session: revoked };
    }

    const successor = generateOpaqueToken();
    const extended = await extendSession(trx, session.id, settings.refreshTokenTtlSeconds);
    const successorId = await insertRefreshToken(trx, {
      sessionId: session.id,
      tokenHash: hashToken(successor),
      expiresAt: extended.expires_at,
    });
    await markRefreshTokenRotated(trx, token.id, {
      id: successorId,
      sealed: sealSecret(settings.encryptionKey, successor, token.id),
    });
    return { kind: "rotated", session: extended, refreshToken: successor };
  });
}

/** The session a refresh token belongs to (rotated or not), for limits keyed by session. */
export async function sessionIdForRefreshToken(db: Executor, rawToken: string): Promise<string | undefined> {
  return findSessionIdByRefreshTokenHash(db, hashToken(rawToken));
}
