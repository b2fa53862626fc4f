import type { Executor, Session, User } from "@tidings/db";
import { type RequestOrigin, recordAuditEvent } from "../audit.ts";
import { signAccessToken } from "../jwt/index.ts";
import { createSession } from "../sessions.ts";
import type { AuthDeps } from "./deps.ts";
import { type AuthResult, toSessionView, toUserView } from "./views.ts";

/** Opens a session for a user whose identity is proven, inside the caller's transaction. */
export async function openSession(
  deps: AuthDeps,
  trx: Executor,
  user: User,
  origin: RequestOrigin,
  method: "password" | "email_verification",
): Promise<AuthResult> {
  const { session, refreshToken } = await createSession(trx, { userId: user.id, origin }, deps.sessions);
  await recordAuditEvent(trx, {
    type: "login_succeeded",
    userId: user.id,
    origin,
    metadata: { sessionId: session.id, method },
  });
  return issueTokens(deps, user, session, refreshToken);
}

export async function issueTokens(
  deps: AuthDeps,
  user: User,
  session: Session,
  refreshToken: string,
): Promise<AuthResult> {
  const access = await signAccessToken(deps.keyRing, { userId: user.id, sessionId: session.id }, deps.tokens);
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken,
    user: toUserView(user),
    session: toSessionView(session, session.id),
  };
}
