import { findUserById } from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import { rotateRefreshToken } from "../sessions.ts";
import type { AuthDeps } from "./deps.ts";
import { announceEndedSessions } from "./ended-sessions.ts";
import { AuthFailure } from "./failure.ts";
import { securityNotice } from "./security-notice.ts";
import { issueTokens } from "./sign-in.ts";
import type { AuthResult } from "./views.ts";

/**
 * Rotates a refresh token. A rotated token presented after the grace window means it was copied:
 * the session ends everywhere at once, the owner is emailed, and the caller is told so.
 */
export async function refresh(deps: AuthDeps, refreshToken: string, origin: RequestOrigin): Promise<AuthResult> {
  const outcome = await rotateRefreshToken(deps.db, refreshToken, deps.sessions, async (trx, session) => {
    await recordAuditEvent(trx, {
      type: "refresh_reused",
      userId: session.user_id,
      origin,
      metadata: { sessionId: session.id },
    });
    const user = await findUserById(trx, session.user_id);
    if (user)
      await deps.sendEmail(trx, { template: "refresh-reuse", to: user.email, data: securityNotice(user, origin) });
  });
  if (outcome.kind === "invalid") {
    deps.observer?.refresh?.("invalid");
    throw new AuthFailure("TOKEN_INVALID", "Sign in again");
  }
  if (outcome.kind === "reused") {
    await announceEndedSessions(deps, [outcome.session.id]);
    deps.observer?.refresh?.("reused");
    throw new AuthFailure("REFRESH_TOKEN_REUSED", "This session was ended because its refresh token was used twice");
  }
  const user = await findUserById(deps.db, outcome.session.user_id);
  if (!user || user.disabled_at) {
    deps.observer?.refresh?.("invalid");
    throw new AuthFailure("TOKEN_INVALID", "Sign in again");
  }
  const result = await issueTokens(deps, user, outcome.session, outcome.refreshToken);
  deps.observer?.refresh?.("success");
  return result;
}
