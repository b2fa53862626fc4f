import { type BreachCheckOptions, checkBreachedPassword } from "./breach-check.ts";
import { normalizePassword } from "./normalize-password.ts";
import { countCodePoints, maximumPasswordLength, minimumPasswordLength } from "./password-length.ts";
import { type PasswordProblem, passwordProblemMessages as problemMessages } from "./password-problems.ts";
import { isEasyToGuess } from "./password-strength.ts";

export type { PasswordProblem } from "./password-problems.ts";

import { containsPersonalInfo, type PasswordOwner, personalInputs } from "./personal-info.ts";

export interface PasswordCheck {
  ok: boolean;
  reasons: { code: PasswordProblem; message: string }[];
  /** Set when the breach check was enabled but could not get an answer, so the password was let through. */
  breachCheckSkipped?: boolean;
}

export interface PasswordPolicyOptions {
  hibp?: { enabled: boolean } & BreachCheckOptions;
}

/**
 * Checks a new password against the security spec: length counted after normalisation, no
 * composition rules, no common or personal passwords and, when enabled, none known to Have I Been
 * Pwned. The caller hashes the password only when `ok` is true.
 */
export async function checkPasswordPolicy(
  password: string,
  context: PasswordOwner,
  options: PasswordPolicyOptions = {},
): Promise<PasswordCheck> {
  const normalized = normalizePassword(password);
  const problems: PasswordProblem[] = [];
  const length = countCodePoints(normalized);
  if (length < minimumPasswordLength) problems.push("too_short");
  if (length > maximumPasswordLength) problems.push("too_long");
  if (await isEasyToGuess(normalized, personalInputs(context))) problems.push("common");
  if (containsPersonalInfo(normalized, context)) problems.push("contains_personal_info");

  let breachCheckSkipped: boolean | undefined;
  // Only a password that passes everything else is sent (as a hash prefix) to the outside world;
  // the others are refused already, and asking would only add latency.
  if (problems.length === 0 && options.hibp?.enabled) {
    const outcome = await checkBreachedPassword(normalized, options.hibp);
    if (outcome === "breached") problems.push("breached");
    if (outcome === "skipped") breachCheckSkipped = true;
  }

  const check: PasswordCheck = {
    ok: problems.length === 0,
    reasons: problems.map((code) => ({ code, message: problemMessages[code] })),
  };
  if (breachCheckSkipped) check.breachCheckSkipped = true;
  return check;
}
