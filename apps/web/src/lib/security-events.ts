import type { RouterInputs, RouterOutputs } from "@tidings/client";

export type SecurityEvent = RouterOutputs["account"]["securityEvents"]["items"][number];
/** The event types of API.md, as admin.events.list accepts them. */
export type SecurityEventType = NonNullable<Extract<RouterInputs["admin"]["events"]["list"], object>["type"]>;

export const securityEventLabels: Record<SecurityEventType, string> = {
  register: "Account created",
  email_verified: "Email confirmed",
  login_succeeded: "Signed in",
  login_failed: "Failed sign-in attempt",
  logout: "Signed out",
  session_revoked: "Session signed out remotely",
  refresh_reused: "Suspicious token reuse; session ended",
  password_changed: "Password changed",
  password_reset_requested: "Password reset requested",
  password_reset: "Password reset",
  account_locked: "Account locked after failed attempts",
  account_unlocked: "Account unlocked",
  account_disabled: "Account disabled",
  account_enabled: "Account enabled",
  role_changed: "Role changed",
  mfa_enabled: "Two-factor turned on",
  mfa_disabled: "Two-factor turned off",
  mfa_failed: "Wrong two-factor code",
  recovery_code_used: "Recovery code used",
  passkey_added: "Passkey added",
  passkey_removed: "Passkey removed",
  email_changed: "Email address changed",
  invitation_sent: "Invitation sent",
  invitation_accepted: "Invitation accepted",
  account_deleted: "Account deleted",
  mail_account_added: "Mail account connected",
  mail_account_removed: "Mail account removed",
  ai_settings_changed: "AI settings changed",
};

const warningTypes = new Set<SecurityEventType>([
  "login_failed",
  "refresh_reused",
  "account_locked",
  "account_disabled",
]);

export function isWarningEvent(type: string): boolean {
  return warningTypes.has(type as SecurityEventType);
}

export function securityEventLabel(type: string): string {
  return securityEventLabels[type as SecurityEventType] ?? type.replaceAll("_", " ");
}
