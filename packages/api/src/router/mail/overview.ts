import { countMailThreads, listArrivedMessages, recordDashboardVisit } from "@tidings/db";
import type { InnerContext } from "../../context.ts";

type Caller = { ctx: InnerContext; userId: string };

/** Looks at the dashboard closer together than this are one visit: refreshing it keeps "since". */
export const DASHBOARD_VISIT_GAP_MS = 30 * 60 * 1000;
/** On a first visit there is no "last" one: the dashboard shows the day before it began. */
const FIRST_VISIT_WINDOW_MS = 24 * 60 * 60 * 1000;
const ARRIVED_SHOWN = 8;

/**
 * `mail.overview`: what the dashboard shows about the caller's inboxes (every account). The counts
 * are the lengths of the inbox lists the dashboard links to (`mail.threads` with `role: "inbox"`
 * and the same filter), so a number and the list behind it never disagree.
 */
export async function mailOverview({ ctx, userId }: Caller, now = new Date()) {
  const inbox = { userId, role: "inbox" } as const;
  const [needsReply, highPriority, unread, visit] = await Promise.all([
    countMailThreads(ctx.db, { ...inbox, filter: { needsReply: true } }),
    countMailThreads(ctx.db, { ...inbox, filter: { priority: "high" } }),
    countMailThreads(ctx.db, { ...inbox, filter: { unread: true } }),
    recordDashboardVisit(ctx.db, userId, now, DASHBOARD_VISIT_GAP_MS),
  ]);
  const since = visit.previousSeenAt ?? new Date(visit.visitStartedAt.getTime() - FIRST_VISIT_WINDOW_MS);
  const arrived = await listArrivedMessages(ctx.db, userId, since, ARRIVED_SHOWN);
  return {
    counts: { needsReply, highPriority, unread },
    sinceLastVisit: {
      /** When the previous visit ended; null on the first visit (then: the 24 hours before it). */
      lastVisitAt: visit.previousSeenAt,
      since,
      total: arrived.total,
      items: arrived.items.map((message) => ({
        messageId: message.id,
        threadId: message.thread_id,
        accountId: message.account_id,
        from: { name: message.from_name, email: message.from_email },
        subject: message.subject,
        snippet: message.snippet,
        date: message.date,
        unread: !message.seen,
        ai:
          message.ai_priority === null && message.ai_needs_reply === null
            ? null
            : { priority: message.ai_priority, needsReply: message.ai_needs_reply },
      })),
    },
  };
}
