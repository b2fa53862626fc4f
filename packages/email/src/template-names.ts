/** Every email the system sends (see API.md, "Emails the system sends"). */
export const templateNames = [
  "verify-email",
  "account-exists",
  "welcome",
  "password-reset",
  "password-changed",
  "account-locked",
  "new-sign-in",
  "refresh-reuse",
  "invitation",
  "email-change",
  "email-changed",
  "mfa-changed",
  "mail-account-error",
  "ai-budget",
] as const;

export type TemplateName = (typeof templateNames)[number];

const knownNames: ReadonlySet<string> = new Set(templateNames);

export function isTemplateName(name: string): name is TemplateName {
  return knownNames.has(name);
}
