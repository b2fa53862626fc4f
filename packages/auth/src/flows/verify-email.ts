import { findUserById, markEmailVerified } from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { consumeOneTimeToken } from "../one-time-tokens.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { AuthDeps } from "./deps.ts";
import { AuthFailure } from "./failure.ts";
import { openSession } from "./sign-in.ts";
import type { AuthResult } from "./views.ts";

/** Uses the emailed link once: marks the email verified, welcomes the user and signs them in. */
export function verifyEmail(deps: AuthDeps, token: string, origin: RequestOrigin): Promise<AuthResult> {
  return deps.db.transaction().execute(async (trx) => {
    const used = await consumeOneTimeToken(trx, token, "verify_email");
    if (!used.ok) {
      throw new AuthFailure(
        used.reason,
        used.reason === "TOKEN_EXPIRED" ? "This link has expired" : "This link is not valid",
      );
    }
    const before = await findUserById(trx, used.userId);
    if (!before || before.disabled_at) throw new AuthFailure("TOKEN_INVALID", "This link is not valid");
    const makeAdmin = deps.adminEmails.includes(before.email_normalized);
    const user = await markEmailVerified(trx, used.userId, makeAdmin);
    if (makeAdmin && before.role !== "admin") {
      await recordAuditEvent(trx, {
        type: "role_changed",
        userId: user.id,
        origin,
        metadata: { role: "admin", by: "ADMIN_EMAILS" },
      });
    }
    if (!before.email_verified_at) {
      await recordAuditEvent(trx, { type: "email_verified", userId: user.id, origin });
      await deps.sendEmail(trx, { template: "welcome", to: user.email, data: { displayName: user.display_name } });
    }
    return openSession(deps, trx, user.id, origin, "email_verification");
  });
}
