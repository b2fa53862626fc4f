import type { Executor, Session, User } from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { signAccessToken } from "../jwt/index.ts";
import { createSession, type SignInMethod } from "../sessions.ts";
import type { AuthDeps } from "./deps.ts";
import { type AuthResult, toSessionView, toUserView } from "./views.ts";

/** Opens a session for a user whose identity is proven, in one statement (see createSession). */
export async function openSession(
  deps: AuthDeps,
  db: Executor,
  userId: string,
  origin: RequestOrigin,
  method: SignInMethod,
  newPasswordHash?: string,
): Promise<AuthResult> {
  const { user, session, refreshToken } = await createSession(
    db,
    { userId, origin, method, newPasswordHash },
    deps.sessions,
  );
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
