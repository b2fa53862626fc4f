import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { AiPriority } from "../schema-ai.ts";

/**
 * Notes that the user is looking at the dashboard now and answers when their previous visit ended
 * (null on the first one) and when the current one began. Looks less than `newVisitAfterMs` apart belong to one visit, so the
 * dashboard refreshing itself (focus, live events) keeps showing what arrived since that visit.
 */
export async function recordDashboardVisit(
  db: Executor,
  userId: string,
  now: Date,
  newVisitAfterMs: number,
): Promise<{ previousSeenAt: Date | null; visitStartedAt: Date }> {
  const gapStart = new Date(now.getTime() - newVisitAfterMs);
  const newVisit = sql<boolean>`dashboard_visits.last_seen_at < ${gapStart}`;
  const row = await db
    .insertInto("dashboard_visits")
    .values({ user_id: userId, previous_seen_at: null, visit_started_at: now, last_seen_at: now })
    .onConflict((conflict) =>
      conflict.column("user_id").doUpdateSet({
        previous_seen_at: sql`case when ${newVisit} then dashboard_visits.last_seen_at
          else dashboard_visits.previous_seen_at end`,
        visit_started_at: sql`case when ${newVisit} then ${now}::timestamptz
          else dashboard_visits.visit_started_at end`,
        last_seen_at: sql`greatest(dashboard_visits.last_seen_at, ${now})`,
      }),
    )
    .returning(["previous_seen_at", "visit_started_at"])
    .executeTakeFirstOrThrow();
  return { previousSeenAt: row.previous_seen_at, visitStartedAt: row.visit_started_at };
}

/** A message that reached one of the user's inboxes, with its analysis' marks once there is one. */
export interface ArrivedMessage {
  id: string;
  thread_id: string;
  account_id: string;
  from_name: string;
  from_email: string;
  subject: string;
  snippet: string;
  date: Date;
  seen: boolean;
  ai_priority: AiPriority | null;
  ai_needs_reply: boolean | null;
}

/** Messages in the user's inbox folders (every account) dated after `since`: the newest few, and how many. */
export async function listArrivedMessages(
  db: Executor,
  userId: string,
  since: Date,
  limit: number,
): Promise<{ items: ArrivedMessage[]; total: number }> {
  const arrived = db
    .selectFrom("mail_messages as m")
    .innerJoin("mail_folders as f", "f.id", "m.folder_id")
    .where("m.user_id", "=", userId)
    .where("f.role", "=", "inbox")
    .where("m.date", ">", since);
  const [items, count] = await Promise.all([
    arrived
      .leftJoin("ai_analyses as a", (join) => join.onRef("a.message_id", "=", "m.id").on("a.status", "=", "ready"))
      .select([
        "m.id",
        "m.thread_id",
        "m.account_id",
        "m.from_name",
        "m.from_email",
        "m.subject",
        "m.snippet",
        "m.date",
        "m.seen",
        "a.priority as ai_priority",
        "a.needs_reply as ai_needs_reply",
      ])
      .orderBy("m.date", "desc")
      .orderBy("m.id", "desc")
      .limit(limit)
      .execute(),
    arrived.select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.count) };
}
