import { type Executor, insertAuditEvent } from "@tidings/db";
import { type AuditEvent, auditEventRow } from "./audit.ts";

/** Call with the transaction of the change it records (S22), so the two commit together. */
export async function recordAuditEvent(db: Executor, event: AuditEvent): Promise<void> {
  await insertAuditEvent(db, auditEventRow(event));
}
