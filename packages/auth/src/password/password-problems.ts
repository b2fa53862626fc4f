import { maximumPasswordLength, minimumPasswordLength } from "./password-length.ts";

export type PasswordProblem = "too_short" | "too_long" | "common" | "contains_personal_info" | "breached";

/** What the policy tells a person about each problem; the web app's meter says the same. */
export const passwordProblemMessages: Record<PasswordProblem, string> = {
  too_short: `Use at least ${minimumPasswordLength} characters.`,
  too_long: `Use at most ${maximumPasswordLength} characters.`,
  common: "This password is too easy to guess. A few unrelated words make a strong one.",
  contains_personal_info: "Don't use your email address or your name in your password.",
  breached: "This password has appeared in a data breach, so attackers will try it. Choose a different one.",
};
