import { findUserByEmail, insertUserIfAbsent } from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { normalizeEmail } from "../email-address.ts";
import { issueOneTimeToken } from "../one-time-tokens.ts";
import { checkPasswordPolicy, hashPassword } from "../password/index.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { AuthDeps } from "./deps.ts";
import { AuthFailure } from "./failure.ts";

declare const accepted: unique symbol;

/** A sign-up whose password the policy accepted: the only input `register` takes. */
export interface AcceptedSignUp {
  readonly email: string;
  readonly emailNormalized: string;
  readonly displayName: string | null;
  readonly password: string;
  readonly [accepted]: true;
}

/**
 * The password policy's verdict on a sign-up, before anything is counted or written: a refused
 * password (WEAK_PASSWORD) sends no email, so the caller counts email limits only after this.
 */
export async function acceptSignUp(
  deps: AuthDeps,
  input: { email: string; password: string; displayName?: string | null | undefined },
): Promise<AcceptedSignUp> {
  const email = input.email.trim();
  const displayName = input.displayName?.trim() || null;
  const policy = await checkPasswordPolicy(
    input.password,
    { email, displayName },
    { hibp: { enabled: deps.hibpEnabled } },
  );
  if (!policy.ok) throw new AuthFailure("WEAK_PASSWORD", "Choose a stronger password", { reasons: policy.reasons });
  return { email, emailNormalized: normalizeEmail(email), displayName, password: input.password } as AcceptedSignUp;
}

/**
 * The same answer whether or not the email is registered (S5): a new account gets a verification
 * link, the owner of an existing one is told someone tried, and both cost one argon2 hash. In
 * invite-only mode it answers the same and does nothing else.
 */
export async function register(
  deps: AuthDeps,
  signUp: AcceptedSignUp,
  origin: RequestOrigin,
): Promise<{ status: "verification_sent" }> {
  const { email, emailNormalized, displayName } = signUp;
  const passwordHash = await hashPassword(signUp.password);
  // Invite-only: the same work and the same answer, and nothing written or sent (no enumeration).
  if (deps.registrationMode === "invite") return { status: "verification_sent" };

  const isNew = await deps.db.transaction().execute(async (trx) => {
    const created = await insertUserIfAbsent(trx, { email, emailNormalized, displayName, passwordHash });
    if (!created) {
      const existing = await findUserByEmail(trx, emailNormalized);
      if (existing) {
        await deps.sendEmail(trx, {
          template: "account-exists",
          to: existing.email,
          data: { displayName: existing.display_name },
        });
      }
      return false;
    }
    const token = await issueOneTimeToken(trx, created.id, "verify_email");
    await deps.sendEmail(trx, { template: "verify-email", to: created.email, data: { displayName, token } });
    await recordAuditEvent(trx, { type: "register", userId: created.id, origin });
    return true;
  });
  if (isNew) deps.observer?.registration?.();
  return { status: "verification_sent" };
}
