import { Link } from "@tanstack/react-router";
import { memo } from "react";
import { listTime, senderName } from "../format.ts";
import { PaperclipGlyph } from "../ThreadView.tsx";
import { AiMarks } from "./AiMarks.tsx";
import type { AiCorrection } from "./ai-correction.ts";
import type { Thread } from "./list-query.ts";

export interface ThreadRowProps {
  thread: Thread;
  index: number;
  /** Where the list is virtually: the row is placed at `start` px from the top. */
  start: number;
  /** How many rows the list has; -1 while more are still to load (ARIA's "unknown"). */
  setSize: number;
  cursor: boolean;
  /** Open in the reading pane. */
  open: boolean;
  /** Picked for a bulk action. */
  checked: boolean;
  /** The user's own addresses, shown as "me". */
  own: Set<string>;
  measure: (node: HTMLElement | null) => void;
  /** `extend`: Shift was held, so the pick spans from the previous one (a range). */
  onCheck: (threadId: string, extend: boolean) => void;
  onCorrect: (thread: Thread, correction: AiCorrection) => void;
}

function people(thread: Thread, own: Set<string>): string {
  return (
    thread.participants
      .map((person) => (own.has(person.email.toLowerCase()) ? "me" : senderName(person)))
      .filter((name, position, all) => all.indexOf(name) === position)
      .slice(0, 3)
      .join(", ") || "(unknown sender)"
  );
}

/** One conversation in the list: a checkbox, the link that opens it, and its AI marks. */
export const ThreadRow = memo(function ThreadRow({
  thread,
  index,
  start,
  setSize,
  cursor,
  open,
  checked,
  own,
  measure,
  onCheck,
  onCorrect,
}: ThreadRowProps) {
  const unread = thread.unread > 0;
  const subject = thread.subject || "(no subject)";
  return (
    <li
      ref={measure}
      data-index={index}
      data-thread-id={thread.id}
      data-cursor={cursor || undefined}
      aria-posinset={index + 1}
      aria-setsize={setSize}
      style={{ transform: `translateY(${start}px)` }}
      className={`absolute top-0 left-0 flex w-full items-start border-b border-line ${
        open
          ? "bg-accent-soft"
          : checked
            ? "bg-accent-soft/60"
            : cursor
              ? "bg-surface-muted"
              : "hover:bg-surface-muted/70"
      }`}
    >
      {cursor && <span aria-hidden="true" className="absolute inset-y-0 left-0 w-1 bg-accent" />}
      <label className="flex shrink-0 cursor-pointer self-stretch pt-3.5 pr-1 pl-3">
        <input
          type="checkbox"
          checked={checked}
          // React's change event for a checkbox is the click: it says whether Shift was held.
          onChange={(event) => onCheck(thread.id, (event.nativeEvent as MouseEvent).shiftKey === true)}
          aria-label={`Select “${subject}”`}
          className="size-4 accent-accent"
        />
      </label>
      <div className="min-w-0 flex-1">
        <Link
          from="/mail"
          to="/mail"
          search={(previous) => ({ ...previous, thread: thread.id })}
          aria-current={open ? "true" : undefined}
          className={`block py-3 pr-4 pl-2 text-fg no-underline ${thread.ai ? "pb-1.5" : ""}`}
        >
          <span className="flex items-baseline gap-2">
            {unread && <span className="size-2 shrink-0 self-center rounded-full bg-accent" aria-hidden="true" />}
            <span className={`min-w-0 flex-1 truncate ${unread ? "font-semibold" : ""}`}>
              {people(thread, own)}
              {thread.messageCount > 1 && (
                <span className="ml-1 text-xs font-normal text-muted">{thread.messageCount}</span>
              )}
            </span>
            {thread.hasAttachments && (
              <span className="text-muted">
                <PaperclipGlyph />
                <span className="sr-only">Has attachments</span>
              </span>
            )}
            {thread.starred && (
              <span className="text-warning" aria-hidden="true">
                ★
              </span>
            )}
            <time className="shrink-0 text-xs text-muted" dateTime={new Date(thread.lastMessageAt).toISOString()}>
              {listTime(thread.lastMessageAt)}
            </time>
          </span>
          <span className={`block truncate text-sm ${unread ? "font-semibold" : ""}`}>{subject}</span>
          <span className="block truncate text-sm text-muted">{thread.snippet}</span>
          <span className="sr-only">
            {unread ? ", unread" : ""}
            {thread.starred ? ", starred" : ""}
          </span>
        </Link>
        {thread.ai && (
          <div className="pr-4 pb-2.5 pl-2">
            <AiMarks thread={thread} onCorrect={onCorrect} />
          </div>
        )}
      </div>
    </li>
  );
});
