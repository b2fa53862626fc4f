import {
  findEmailChangeByTokenHash,
  findUserByEmail,
  findUserById,
  insertEmailChange,
  revokeUserSessions,
  setUserEmail,
  useEmailChange,
} from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { normalizeEmail } from "../email-address.ts";
import { generateOpaqueToken, hashToken } from "../opaque-token.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { Principal } from "./authenticate.ts";
import type { AuthDeps } from "./deps.ts";
import { announceEndedSessions } from "./ended-sessions.ts";
import { AuthFailure } from "./failure.ts";
import { securityNotice } from "./security-notice.ts";
import { requirePassword, requireSecondFactorIfOn, signedInUser } from "./step-up.ts";

/** API.md: the `email-change` link is valid 24 hours. */
export const EMAIL_CHANGE_SECONDS = 24 * 60 * 60;

/**
 * Asks to move the account to a new address (S35: password, and a second factor when on).
 * Nothing changes until the link sent to the new address is used. An address that belongs to
 * another account gets the same answer and no email, so this cannot be used to probe for accounts.
 */
export async function requestEmailChange(
  deps: AuthDeps,
  principal: Principal,
  input: { newEmail: string; password: string; code?: string | undefined },
  now: Date = new Date(),
): Promise<{ status: "verification_sent" }> {
  const user = await signedInUser(deps, principal);
  await requirePassword(user, input.password);
  const newEmail = input.newEmail.trim();
  const newEmailNormalized = normalizeEmail(newEmail);
  if (newEmailNormalized === user.email_normalized) {
    throw new AuthFailure("INVALID_INPUT", "This is your address already", {
      issues: [{ path: ["newEmail"], message: "This is your address already" }],
    });
  }
  await deps.db.transaction().execute(async (trx) => {
    await requireSecondFactorIfOn(deps, trx, user.id, input.code, now);
    if (await findUserByEmail(trx, newEmailNormalized)) return;
    const token = generateOpaqueToken();
    await insertEmailChange(trx, {
      userId: user.id,
      newEmail,
      newEmailNormalized,
      tokenHash: hashToken(token),
      lifetimeSeconds: EMAIL_CHANGE_SECONDS,
    });
    await deps.sendEmail(trx, {
      template: "email-change",
      to: newEmail,
      data: { displayName: user.display_name, token },
    });
  });
  return { status: "verification_sent" };
}

/**
 * Uses the link once: the account signs in with the new address only, every session ends (in every
 * process), and the old address is told (S35).
 */
export async function confirmEmailChange(
  deps: AuthDeps,
  token: string,
  origin: RequestOrigin,
): Promise<{ status: "ok"; userId: string }> {
  const tokenHash = hashToken(token);
  const change = await findEmailChangeByTokenHash(deps.db, tokenHash);
  if (!change || change.used_at) throw new AuthFailure("TOKEN_INVALID", "This link is not valid");
  if (change.expired) throw new AuthFailure("TOKEN_EXPIRED", "This link has expired");

  const ended = await deps.db.transaction().execute(async (trx) => {
    if (!(await useEmailChange(trx, change.id))) throw new AuthFailure("TOKEN_INVALID", "This link is not valid");
    const before = await findUserById(trx, change.user_id);
    if (!before || before.disabled_at) throw new AuthFailure("TOKEN_INVALID", "This link is not valid");
    const moved = await setUserEmail(trx, before.id, {
      email: change.new_email,
      emailNormalized: change.new_email_normalized,
    });
    // Someone registered the address meanwhile.
    if (!moved) throw new AuthFailure("TOKEN_INVALID", "This address belongs to another account now");
    await recordAuditEvent(trx, {
      type: "email_changed",
      userId: before.id,
      origin,
      metadata: { from: before.email, to: change.new_email },
    });
    await deps.sendEmail(trx, {
      template: "email-changed",
      to: before.email,
      data: { ...securityNotice(before, origin), newEmail: change.new_email },
    });
    return revokeUserSessions(trx, before.id, "email_changed");
  });
  await announceEndedSessions(deps, ended);
  return { status: "ok", userId: change.user_id };
}
