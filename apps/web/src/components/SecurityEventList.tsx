import { formatDateTime, timeAgo } from "../lib/format-time.ts";
import { isWarningEvent, type SecurityEvent, securityEventLabel } from "../lib/security-events.ts";
import { describeUserAgent } from "../lib/user-agent.ts";
import { Badge } from "./ui.tsx";

/** Audit events as a readable timeline; `userLabel` adds whose event it was (admin view). */
export function SecurityEventList<Event extends SecurityEvent>({
  events,
  userLabel,
}: {
  events: Event[];
  userLabel?: (event: Event) => string | undefined;
}) {
  if (events.length === 0) return <p className="text-muted">No activity yet.</p>;
  return (
    <ol className="divide-y divide-line" data-testid="event-list">
      {events.map((event) => {
        const device = describeUserAgent(event.userAgent);
        const who = userLabel?.(event);
        return (
          <li
            key={event.id}
            className="flex flex-col gap-1 py-3 sm:flex-row sm:items-start sm:justify-between sm:gap-4"
          >
            <div className="grid gap-0.5">
              <p className="flex flex-wrap items-center gap-2 font-medium">
                {securityEventLabel(event.type)}
                {isWarningEvent(event.type) && <Badge tone="warning">Check</Badge>}
              </p>
              <p className="text-sm text-muted">
                {who && <span className="text-fg">{who} · </span>}
                {device.browser} on {device.os}
                {event.ip ? ` · ${event.ip}` : ""}
              </p>
            </div>
            <time
              className="text-sm whitespace-nowrap text-muted"
              dateTime={event.createdAt.toISOString()}
              title={formatDateTime(event.createdAt)}
            >
              {timeAgo(event.createdAt)}
            </time>
          </li>
        );
      })}
    </ol>
  );
}
