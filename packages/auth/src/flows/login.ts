import { type Executor, findUserForSignIn, recordFailedLogin } from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { normalizeEmail } from "../email-address.ts";
import { issueOneTimeToken } from "../one-time-tokens.ts";
import { dummyVerify, hashPassword, needsRehash, verifyPassword } from "../password/index.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { AuthDeps } from "./deps.ts";
import { AuthFailure, invalidCredentials } from "./failure.ts";
import { type MfaRequired, openMfaChallenge } from "./mfa-sign-in.ts";
import { totpEnabled } from "./second-factor.ts";
import { securityNotice } from "./security-notice.ts";
import { openSession } from "./sign-in.ts";
import type { AuthResult } from "./views.ts";

const NO_USER_ID = "00000000-0000-0000-0000-000000000000";

/**
 * Password sign-in. Unknown emails cost one argon2 verification like known ones (S5); locked and
 * disabled accounts answer exactly like a wrong password (S8); only a correct password reveals
 * that the email still needs verifying. With two-factor on, a right password only opens the
 * second step (`verifyMfa`), and nothing else is revealed.
 */
export async function login(
  deps: AuthDeps,
  input: { email: string; password: string },
  origin: RequestOrigin,
): Promise<AuthResult | MfaRequired> {
  const candidate = await findUserForSignIn(deps.db, normalizeEmail(input.email), origin.userAgent ?? "");
  const user = candidate?.user;
  if (!candidate || !user?.password_hash) {
    await dummyVerify(input.password);
    // The same database work as a known account's failure (an update, here of no row, and the audit
    // record), so that timing cannot tell the two apart (S5).
    await deps.db.transaction().execute(async (trx) => {
      await recordFailedLogin(trx, NO_USER_ID, deps.lockoutThreshold);
      await recordAuditEvent(trx, { type: "login_failed", userId: null, origin, metadata: { reason: "unknown" } });
    });
    deps.observer?.signIn?.("invalid_credentials");
    throw invalidCredentials();
  }

  const passwordOk = await verifyPassword(user.password_hash, input.password);
  if (!passwordOk) {
    const lockedNow = await deps.db.transaction().execute(async (trx) => {
      const { lockedNow } = await recordFailedLogin(trx, user.id, deps.lockoutThreshold);
      await recordAuditEvent(trx, { type: "login_failed", userId: user.id, origin, metadata: { reason: "password" } });
      if (lockedNow) {
        const token = await issueOneTimeToken(trx, user.id, "unlock_account");
        await recordAuditEvent(trx, { type: "account_locked", userId: user.id, origin, metadata: { by: "lockout" } });
        await deps.sendEmail(trx, {
          template: "account-locked",
          to: user.email,
          data: { displayName: user.display_name, token },
        });
      }
      return lockedNow;
    });
    deps.observer?.signIn?.("invalid_credentials");
    if (lockedNow) deps.observer?.lockout?.();
    throw invalidCredentials();
  }

  if (user.locked_at || user.disabled_at) {
    const reason = user.disabled_at ? "disabled" : "locked";
    await recordAuditEvent(deps.db, { type: "login_failed", userId: user.id, origin, metadata: { reason } });
    deps.observer?.signIn?.(reason);
    throw invalidCredentials();
  }
  if (deps.requireVerifiedEmail && !user.email_verified_at) {
    deps.observer?.signIn?.("email_not_verified");
    throw new AuthFailure("EMAIL_NOT_VERIFIED", "Verify your email address to sign in");
  }

  if (await totpEnabled(deps.db, user.id)) return openMfaChallenge(deps.db, user.id);

  // Hashes made with older parameters are upgraded while the password is at hand (S1).
  const upgradedHash = needsRehash(user.password_hash) ? await hashPassword(input.password) : undefined;
  const prior = candidate.priorSessions;
  const open = (db: Executor) => openSession(deps, db, user.id, origin, "password", upgradedHash);
  // The usual sign-in is one statement; a new device's also queues its notice, in one transaction.
  const signedIn =
    prior.any && !prior.sameUserAgent
      ? await deps.db.transaction().execute(async (trx) => {
          const result = await open(trx);
          await deps.sendEmail(trx, {
            template: "new-sign-in",
            to: user.email,
            data: securityNotice(user, origin, result.session.createdAt),
          });
          return result;
        })
      : await open(deps.db);
  deps.observer?.signIn?.("success");
  return signedIn;
}
