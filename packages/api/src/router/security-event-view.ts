import type { AuditEventType } from "@tidings/auth";
import type { AuditEvent } from "@tidings/db";

/** `SecurityEvent` of API.md. */
export function toSecurityEvent(event: AuditEvent) {
  return {
    id: String(event.id),
    // The column is text; rows are only written through recordAuditEvent, which takes this type.
    type: event.type as AuditEventType,
    ip: event.ip,
    userAgent: event.user_agent,
    createdAt: event.created_at,
    metadata: event.metadata,
  };
}
