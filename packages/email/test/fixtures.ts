import type { TemplateData, TemplateName } from "../src/index.ts";

export const appUrl = "https://mail.example.test";

/** A token with characters that must be URL-encoded, so a raw one in a link would be visible. */
export const token = "tok/en+=?&#42 é";
export const encodedToken = encodeURIComponent(token);

const activity = {
  displayName: "Ana Lima",
  at: "2026-05-05T14:03:00.000Z",
  ip: "203.0.113.9",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
};

/** Valid data for every template. */
export const sampleData: { [T in TemplateName]: TemplateData<T> } = {
  "verify-email": { displayName: "Ana Lima", token },
  "account-exists": { displayName: "Ana Lima" },
  welcome: { displayName: null },
  "password-reset": { displayName: "Ana Lima", token },
  "password-changed": activity,
  "account-locked": { token },
  "new-sign-in": activity,
  "refresh-reuse": activity,
  invitation: { inviterName: "Bea Costa", token },
  "email-change": { displayName: "Ana Lima", token },
  "email-changed": { ...activity, newEmail: "ana.new@example.test" },
  "mfa-changed": { ...activity, change: "totp_enabled" },
  "mail-account-error": {
    displayName: "Ana Lima",
    accountEmail: "ana@example.test",
    reason: "The IMAP server refused the password",
  },
  "ai-budget": { displayName: "Ana Lima", level: 80, spentUsd: 4, budgetUsd: 5, resetsOn: "2027-01-01" },
};

/** The links each email must carry, as API.md lists them. */
export const expectedLinks: { [T in TemplateName]: string[] } = {
  "verify-email": [`${appUrl}/verify-email?token=${encodedToken}`],
  "account-exists": [`${appUrl}/sign-in`, `${appUrl}/forgot-password`],
  welcome: [`${appUrl}/`],
  "password-reset": [`${appUrl}/reset-password?token=${encodedToken}`],
  "password-changed": [`${appUrl}/forgot-password`],
  "account-locked": [`${appUrl}/unlock-account?token=${encodedToken}`],
  "new-sign-in": [`${appUrl}/settings/sessions`],
  "refresh-reuse": [`${appUrl}/settings/sessions`],
  invitation: [`${appUrl}/accept-invite?token=${encodedToken}`],
  "email-change": [`${appUrl}/confirm-email-change?token=${encodedToken}`],
  "email-changed": [`${appUrl}/`],
  "mfa-changed": [`${appUrl}/settings/security`],
  "mail-account-error": [`${appUrl}/settings/mail`],
  "ai-budget": [`${appUrl}/settings/ai`],
};
