import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";

interface Counts {
  needsReply: number;
  highPriority: number;
  unread: number;
}

/** The inbox counts, each a way into the list it counts (the same filter, so the numbers agree). */
export function MailCounts({ counts }: { counts: Counts | undefined }) {
  return (
    <ul className="grid grid-cols-3 gap-2 sm:gap-4" aria-label="Your inbox">
      <CountLink
        count={counts?.needsReply}
        label="Need a reply"
        search={{ role: "inbox", needsReply: true }}
        tone="text-link"
        testId="count-needs-reply"
      />
      <CountLink
        count={counts?.highPriority}
        label="High priority"
        search={{ role: "inbox", priority: "high" }}
        tone="text-danger"
        testId="count-high-priority"
      />
      <CountLink
        count={counts?.unread}
        label="Unread"
        search={{ role: "inbox", unread: true }}
        tone="text-fg"
        testId="count-unread"
      />
    </ul>
  );
}

function CountLink({
  count,
  label,
  search,
  tone,
  testId,
}: {
  count: number | undefined;
  label: ReactNode;
  search: { role: "inbox"; needsReply?: true; priority?: "high"; unread?: true };
  tone: string;
  testId: string;
}) {
  return (
    <li>
      <Link
        to="/mail"
        search={search}
        data-testid={testId}
        className="flex h-full flex-col gap-1 rounded-2xl border border-line bg-surface p-3 text-fg no-underline shadow-sm transition-colors hover:border-accent/50 hover:bg-surface-muted sm:p-5"
      >
        {/* Colour marks a count that asks for something; a zero stays plain (a red 0 reads as an alarm). */}
        <span className={`text-2xl font-semibold tabular-nums sm:text-3xl ${count ? tone : "text-fg"}`}>
          {count ?? "…"}
        </span>
        <span className="text-sm leading-tight font-medium text-muted">{label}</span>
      </Link>
    </li>
  );
}
