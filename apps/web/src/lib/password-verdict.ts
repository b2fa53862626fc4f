import {
  containsPersonalInfo,
  countCodePoints,
  maximumPasswordLength,
  minimumPasswordLength,
  minimumStrengthScore,
  normalizePassword,
  type PasswordOwner,
  type PasswordProblem,
  passwordProblemMessages,
} from "@tidings/auth/browser-safe";
import type { StrengthEstimate } from "./password-strength.ts";

export interface PasswordVerdict {
  /** What the server's policy would say (the breach check aside, which only the server can ask). */
  accepted: boolean;
  label: "Very weak" | "Weak" | "Strong" | "Very strong";
  /** Filled bars out of four: at most two for a password the server refuses. */
  bars: 1 | 2 | 3 | 4;
  advice: string | undefined;
}

/**
 * The meter's word on a new password, by the server's own rules: a password the server refuses
 * reads as weak, never "fair", and one it accepts as strong.
 */
export function judgeNewPassword(password: string, owner: PasswordOwner, estimate: StrengthEstimate): PasswordVerdict {
  const normalized = normalizePassword(password);
  const length = countCodePoints(normalized);
  const problems: PasswordProblem[] = [];
  if (length < minimumPasswordLength) problems.push("too_short");
  if (length > maximumPasswordLength) problems.push("too_long");
  if (containsPersonalInfo(normalized, owner)) problems.push("contains_personal_info");
  if (estimate.score < minimumStrengthScore) problems.push("common");
  const first = problems[0];
  if (first) {
    // zxcvbn's own hint says why a long password is still easy to guess ("This is a top-100 common password").
    const advice =
      first === "common" ? (estimate.warning ?? passwordProblemMessages.common) : passwordProblemMessages[first];
    return estimate.score === 0
      ? { accepted: false, label: "Very weak", bars: 1, advice }
      : { accepted: false, label: "Weak", bars: 2, advice };
  }
  return estimate.score >= 4
    ? { accepted: true, label: "Very strong", bars: 4, advice: "Good choice." }
    : { accepted: true, label: "Strong", bars: 3, advice: estimate.suggestions[0] ?? "Good choice." };
}
