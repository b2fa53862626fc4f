// Types, the event list and the row builder only, nothing that runs against the database: the
// web app shares the event list (recordAuditEvent writes the rows).
import type { NewAuditEvent } from "@tidings/db";

/** Every security event type of the API contract. */
export const auditEventTypes = [
  "register",
  "email_verified",
  "login_succeeded",
  "login_failed",
  "logout",
  "session_revoked",
  "refresh_reused",
  "password_changed",
  "password_reset_requested",
  "password_reset",
  "account_locked",
  "account_unlocked",
  "account_disabled",
  "account_enabled",
  "role_changed",
  // Account protection (API.md, "Account protection").
  "mfa_enabled",
  "mfa_disabled",
  "mfa_failed",
  "recovery_code_used",
  "passkey_added",
  "passkey_removed",
  "email_changed",
  "invitation_sent",
  "invitation_accepted",
  "account_deleted",
  "mail_account_added",
  "mail_account_removed",
  "ai_settings_changed",
] as const;

export type AuditEventType = (typeof auditEventTypes)[number];

export interface RequestOrigin {
  ip: string;
  userAgent: string | undefined;
}

export interface AuditEvent {
  type: AuditEventType;
  userId: string | null;
  origin: RequestOrigin;
  metadata?: Record<string, unknown>;
}

/** The row of an audit event, for statements that write it together with the change itself. */
export function auditEventRow(event: AuditEvent): NewAuditEvent {
  return {
    type: event.type,
    user_id: event.userId,
    ip: event.origin.ip,
    user_agent: event.origin.userAgent?.slice(0, 1024) ?? null,
    metadata: JSON.stringify(event.metadata ?? {}),
  };
}
