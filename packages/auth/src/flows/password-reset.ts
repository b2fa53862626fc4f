import { findUnusedOneTimeTokenOwner, findUserByEmail, findUserById } from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { normalizeEmail } from "../email-address.ts";
import { consumeOneTimeToken, issueOneTimeToken } from "../one-time-tokens.ts";
import { hashToken } from "../opaque-token.ts";
import { checkPasswordPolicy, hashPassword } from "../password/index.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { AuthDeps } from "./deps.ts";
import { announceEndedSessions } from "./ended-sessions.ts";
import { AuthFailure } from "./failure.ts";
import { replacePassword } from "./replace-password.ts";

/**
 * Always "ok", at once (S5): the owner of a known, enabled account gets a link valid for one hour,
 * prepared after the answer so that its cost cannot tell known emails from unknown ones.
 */
export async function requestPasswordReset(
  deps: AuthDeps,
  email: string,
  origin: RequestOrigin,
): Promise<{ status: "ok" }> {
  deps.afterResponse(() => sendPasswordResetLink(deps, email, origin));
  return { status: "ok" };
}

async function sendPasswordResetLink(deps: AuthDeps, email: string, origin: RequestOrigin): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const user = await findUserByEmail(trx, normalizeEmail(email));
    if (!user || user.disabled_at) return;
    const token = await issueOneTimeToken(trx, user.id, "password_reset");
    await deps.sendEmail(trx, {
      template: "password-reset",
      to: user.email,
      data: { displayName: user.display_name, token },
    });
    await recordAuditEvent(trx, { type: "password_reset_requested", userId: user.id, origin });
  });
}

export type PasswordResetTokenCheck =
  | { valid: true; email: string }
  | { valid: false; reason: "TOKEN_INVALID" | "TOKEN_EXPIRED" };

/**
 * Whether a reset link still works, and whose account it changes, without using it up: the reset
 * page shows a dead link at once and names the account instead of asking for an address. Only
 * the link's holder learns the address, and the link was sent to it.
 */
export async function checkPasswordResetToken(deps: AuthDeps, token: string): Promise<PasswordResetTokenCheck> {
  const owner = await findUnusedOneTimeTokenOwner(deps.db, hashToken(token), "password_reset");
  if (!owner) return { valid: false, reason: "TOKEN_INVALID" };
  if (!owner.unexpired) return { valid: false, reason: "TOKEN_EXPIRED" };
  return { valid: true, email: owner.email };
}

/** Sets a new password from an emailed link and ends every session of the user (S4, S14). */
export async function resetPassword(
  deps: AuthDeps,
  input: { token: string; newPassword: string },
  origin: RequestOrigin,
): Promise<{ status: "ok" }> {
  const revoked = await deps.db.transaction().execute(async (trx) => {
    const used = await consumeOneTimeToken(trx, input.token, "password_reset");
    if (!used.ok) throw new AuthFailure(used.reason, "This reset link is not valid any more");
    const user = await findUserById(trx, used.userId);
    if (!user) throw new AuthFailure("TOKEN_INVALID", "This reset link is not valid any more");
    const policy = await checkPasswordPolicy(
      input.newPassword,
      { email: user.email, displayName: user.display_name },
      { hibp: { enabled: deps.hibpEnabled } },
    );
    // Thrown inside the transaction, so the link stays usable for a second, stronger try.
    if (!policy.ok) throw new AuthFailure("WEAK_PASSWORD", "Choose a stronger password", { reasons: policy.reasons });
    return replacePassword(deps, trx, {
      user,
      passwordHash: await hashPassword(input.newPassword),
      event: "password_reset",
      endSessions: true,
      origin,
    });
  });
  await announceEndedSessions(deps, revoked);
  return { status: "ok" };
}
