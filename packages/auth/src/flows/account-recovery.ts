import { findUserByEmail, unlockUser } from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { normalizeEmail } from "../email-address.ts";
import { consumeOneTimeToken, issueOneTimeToken } from "../one-time-tokens.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { AuthDeps } from "./deps.ts";
import { AuthFailure } from "./failure.ts";

/** Always "ok", at once (S5); an unverified account gets a fresh link (voiding older ones) after the answer. */
export async function resendVerification(deps: AuthDeps, email: string): Promise<{ status: "ok" }> {
  deps.afterResponse(() => sendVerificationLink(deps, email));
  return { status: "ok" };
}

async function sendVerificationLink(deps: AuthDeps, email: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const user = await findUserByEmail(trx, normalizeEmail(email));
    if (!user || user.email_verified_at || user.disabled_at) return;
    const token = await issueOneTimeToken(trx, user.id, "verify_email");
    await deps.sendEmail(trx, {
      template: "verify-email",
      to: user.email,
      data: { displayName: user.display_name, token },
    });
  });
}

/** The single-use link of the account-locked email lifts the lock (S8). */
export async function unlockAccount(deps: AuthDeps, token: string, origin: RequestOrigin): Promise<{ status: "ok" }> {
  await deps.db.transaction().execute(async (trx) => {
    const used = await consumeOneTimeToken(trx, token, "unlock_account");
    if (!used.ok) throw new AuthFailure(used.reason, "This unlock link is not valid any more");
    const unlocked = await unlockUser(trx, used.userId);
    if (unlocked) {
      await recordAuditEvent(trx, {
        type: "account_unlocked",
        userId: used.userId,
        origin,
        metadata: { by: "email_link" },
      });
    }
  });
  return { status: "ok" };
}
