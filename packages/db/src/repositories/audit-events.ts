import type { Executor } from "../executor.ts";
import type { AuditEvent } from "../schema.ts";

/** An audit row as written; `metadata` is JSON text. */
export interface NewAuditEvent {
  type: string;
  user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  metadata: string;
}

/** Call with the transaction of the change it records, so the two commit together. */
export async function insertAuditEvent(db: Executor, event: NewAuditEvent): Promise<void> {
  await db.insertInto("audit_events").values(event).execute();
}

export interface AuditEventPage {
  items: AuditEvent[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** Newest first, filtered by user and type, paged by id. */
export async function listAuditEvents(
  db: Executor,
  filter: { userId?: string | undefined; type?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<AuditEventPage> {
  let query = db
    .selectFrom("audit_events")
    .selectAll()
    .orderBy("id", "desc")
    .limit(filter.limit + 1);
  if (filter.userId) query = query.where("user_id", "=", filter.userId);
  if (filter.type) query = query.where("type", "=", filter.type);
  if (filter.cursor) query = query.where("id", "<", filter.cursor);
  const rows = await query.execute();
  const items = rows.slice(0, filter.limit);
  return { items, nextCursor: rows.length > filter.limit ? String(items.at(-1)?.id) : null };
}
