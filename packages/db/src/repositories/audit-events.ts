import { sql } from "kysely";
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

export interface AuditEventPerson {
  id: string;
  email: string;
}

export interface AuditEventWithPeople extends AuditEvent {
  /** The account the event is about; null when there is none or it has been deleted. */
  user: AuditEventPerson | null;
  /** The admin who did it (metadata.adminId); null for the account's own requests and Tidings' own doing. */
  actor: AuditEventPerson | null;
}

// Only a well-formed id is cast, so a stray value in metadata cannot fail the whole page.
const uuidPattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/** As listAuditEvents, with the email addresses of the account and of the admin who acted, for the admin log. */
export async function listAuditEventsWithPeople(
  db: Executor,
  filter: { userId?: string | undefined; type?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<{ items: AuditEventWithPeople[]; nextCursor: string | null }> {
  let query = db
    .selectFrom("audit_events as event")
    .leftJoin("users as subject", "subject.id", "event.user_id")
    .leftJoin("users as actor", (join) =>
      join.onRef(
        "actor.id",
        "=",
        sql<string>`case when event.metadata->>'adminId' ~ ${uuidPattern} then (event.metadata->>'adminId')::uuid end`,
      ),
    )
    .selectAll("event")
    .select(["subject.email as subject_email", "actor.id as actor_id", "actor.email as actor_email"])
    .orderBy("event.id", "desc")
    .limit(filter.limit + 1);
  if (filter.userId) query = query.where("event.user_id", "=", filter.userId);
  if (filter.type) query = query.where("event.type", "=", filter.type);
  if (filter.cursor) query = query.where("event.id", "<", filter.cursor);
  const rows = await query.execute();
  const items = rows.slice(0, filter.limit).map(({ subject_email, actor_id, actor_email, ...event }) => ({
    ...event,
    user: event.user_id && subject_email ? { id: event.user_id, email: subject_email } : null,
    actor: actor_id && actor_email ? { id: actor_id, email: actor_email } : null,
  }));
  return { items, nextCursor: rows.length > filter.limit ? String(items.at(-1)?.id) : null };
}
