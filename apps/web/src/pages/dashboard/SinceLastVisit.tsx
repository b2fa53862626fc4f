import { Link } from "@tanstack/react-router";
import type { RouterOutputs } from "@tidings/client";
import { Badge, Card } from "../../components/ui.tsx";
import { timeAgo } from "../../lib/format-time.ts";
import { listTime, senderName } from "../../mail/format.ts";

type Arrived = RouterOutputs["mail"]["overview"]["sinceLastVisit"];

/** What reached the inboxes since the user last looked at this page (on any device). */
export function SinceLastVisit({ arrived }: { arrived: Arrived | undefined }) {
  const more = arrived ? arrived.total - arrived.items.length : 0;
  return (
    <Card className="grid gap-3">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <h2 className="text-lg font-semibold">
          {arrived && arrived.lastVisitAt === null ? "In the last day" : "Since your last visit"}
        </h2>
        {arrived?.lastVisitAt && (
          <p className="text-sm text-muted">You were last here {timeAgo(new Date(arrived.lastVisitAt))}</p>
        )}
      </div>
      {!arrived ? (
        <p className="text-muted">Loading…</p>
      ) : arrived.items.length === 0 ? (
        <p className="text-muted">Nothing new has arrived. You are all caught up.</p>
      ) : (
        <ul className="-mx-2 grid" aria-label="New mail" data-testid="since-last-visit">
          {arrived.items.map((item) => (
            <li key={item.messageId}>
              <Link
                to="/mail"
                search={{ thread: item.threadId }}
                className="grid gap-0.5 rounded-lg px-2 py-2 text-fg no-underline hover:bg-surface-muted"
              >
                <span className="flex min-w-0 items-center gap-2">
                  <span className={`min-w-0 flex-1 truncate ${item.unread ? "font-semibold" : ""}`}>
                    {item.unread && <span className="sr-only">Unread: </span>}
                    {senderName(item.from)}
                  </span>
                  {/* The marks keep their one line; the sender's name gives way. */}
                  <span className="flex shrink-0 gap-1 whitespace-nowrap">
                    {item.ai?.priority === "high" && <Badge tone="danger">High priority</Badge>}
                    {item.ai?.needsReply && <Badge tone="accent">Needs reply</Badge>}
                  </span>
                  <span className="shrink-0 text-sm text-muted tabular-nums">{listTime(item.date)}</span>
                </span>
                <span className="truncate text-sm">
                  {item.subject || "(no subject)"}
                  {item.snippet && <span className="text-muted"> — {item.snippet}</span>}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {more > 0 && (
        <Link to="/mail" search={{ role: "inbox" }} className="text-sm font-medium">
          {more} more in your inbox
        </Link>
      )}
    </Card>
  );
}
