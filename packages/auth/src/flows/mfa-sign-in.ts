import {
  type Executor,
  endMfaChallenges,
  findMfaChallenge,
  findUserForSignIn,
  insertMfaChallenge,
  recordFailedLogin,
  useMfaChallenge,
  userHasPasskey,
} from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { issueOneTimeToken } from "../one-time-tokens.ts";
import { generateOpaqueToken, hashToken } from "../opaque-token.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { AuthDeps } from "./deps.ts";
import { AuthFailure, invalidSecondFactor } from "./failure.ts";
import { type AuthenticationResponseJSON, spendPasskeyAssertion } from "./passkeys.ts";
import { type SecondFactor, spendSecondFactor } from "./second-factor.ts";
import { securityNotice } from "./security-notice.ts";
import { openSession } from "./sign-in.ts";
import type { AuthResult } from "./views.ts";

/** S33: the second step of a sign-in must follow the first within this time. */
export const MFA_TOKEN_SECONDS = 5 * 60;

/** `auth.login`'s answer when the password was right and a second factor is needed. */
export interface MfaRequired {
  mfaRequired: true;
  mfaToken: string;
  methods: ("totp" | "recovery" | "passkey")[];
}

export function isMfaRequired(result: AuthResult | MfaRequired): result is MfaRequired {
  return "mfaRequired" in result;
}

/**
 * Opens the second step: a single-use token (stored hashed) that `verifyMfa` takes with a code,
 * or with a passkey assertion when the account has a passkey.
 */
export async function openMfaChallenge(db: Executor, userId: string): Promise<MfaRequired> {
  const mfaToken = generateOpaqueToken();
  await insertMfaChallenge(db, { userId, tokenHash: hashToken(mfaToken), lifetimeSeconds: MFA_TOKEN_SECONDS });
  const methods: MfaRequired["methods"] = ["totp", "recovery"];
  if (await userHasPasskey(db, userId)) methods.push("passkey");
  return { mfaRequired: true, mfaToken, methods };
}

/** What answers the second step: a code, a recovery code, or a passkey assertion. */
export type SignInSecondFactor = SecondFactor | { passkey: AuthenticationResponseJSON };

/**
 * The normalized email of the account an `mfaToken` belongs to, so the caller can count the
 * attempt against the very sign-in limits a password attempt uses (S33); undefined for a token
 * that names nobody.
 */
export async function mfaChallengeEmail(deps: Pick<AuthDeps, "db">, mfaToken: string): Promise<string | undefined> {
  return (await findMfaChallenge(deps.db, hashToken(mfaToken)))?.email;
}

/**
 * Completes a sign-in with a TOTP code or a recovery code. A wrong one counts as a failed sign-in
 * (the same counter and lockout as a wrong password, S33); the token works until it is answered
 * right once or expires, so a typo does not restart the sign-in.
 */
export async function verifyMfa(
  deps: AuthDeps,
  input: { mfaToken: string; factor: SignInSecondFactor },
  origin: RequestOrigin,
  now: Date = new Date(),
): Promise<AuthResult> {
  const tokenHash = hashToken(input.mfaToken);
  const challenge = await findMfaChallenge(deps.db, tokenHash);
  if (!challenge || challenge.used) throw new AuthFailure("TOKEN_INVALID", "Sign in again");
  if (challenge.expired) throw new AuthFailure("TOKEN_EXPIRED", "This sign-in took too long; sign in again");
  const candidate = await findUserForSignIn(deps.db, challenge.email, origin.userAgent ?? "");
  const user = candidate?.user;
  if (!candidate || !user || user.locked_at || user.disabled_at) {
    throw new AuthFailure("TOKEN_INVALID", "Sign in again");
  }
  const factor = input.factor;
  const method = "passkey" in factor ? "passkey" : "recoveryCode" in factor ? "recovery_code" : "totp";

  const signedIn = await deps.db.transaction().execute(async (trx) => {
    // A passkey's challenge is bound to this sign-in (S34): one fetched for another is refused.
    const spent =
      "passkey" in factor
        ? (await spendPasskeyAssertion(deps, trx, {
            response: factor.passkey,
            purpose: "second_factor",
            userId: user.id,
            mfaChallengeId: challenge.id,
            requireUserVerification: false,
          }))
          ? ("passkey" as const)
          : undefined
        : await spendSecondFactor(trx, deps.sessions.encryptionKey, user.id, factor, now);
    if (!spent) return undefined;
    // Used only now, so of two right answers racing, one signs in.
    if (!(await useMfaChallenge(trx, tokenHash))) throw new AuthFailure("TOKEN_INVALID", "Sign in again");
    if (spent === "recovery_code") {
      await recordAuditEvent(trx, { type: "recovery_code_used", userId: user.id, origin });
    }
    const result = await openSession(deps, trx, user.id, origin, spent);
    if (candidate.priorSessions.any && !candidate.priorSessions.sameUserAgent) {
      await deps.sendEmail(trx, {
        template: "new-sign-in",
        to: user.email,
        data: securityNotice(user, origin, result.session.createdAt),
      });
    }
    return result;
  });
  if (signedIn) {
    deps.observer?.signIn?.("success");
    return signedIn;
  }

  const lockedNow = await deps.db.transaction().execute(async (trx) => {
    const { lockedNow } = await recordFailedLogin(trx, user.id, deps.lockoutThreshold);
    await recordAuditEvent(trx, { type: "mfa_failed", userId: user.id, origin, metadata: { method } });
    if (lockedNow) {
      await endMfaChallenges(trx, user.id);
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
  throw invalidSecondFactor();
}
