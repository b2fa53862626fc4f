import type { AuditEvent } from "@tidings/db";

/** `SecurityEvent` of API.md. */
export function toSecurityEvent(event: AuditEvent) {
  return {
    id: String(event.id),
    type: event.type,
    ip: event.ip,
    userAgent: event.user_agent,
    createdAt: event.created_at,
    metadata: event.metadata,
  };
}
