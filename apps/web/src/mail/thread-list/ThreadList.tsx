import * as Tooltip from "@radix-ui/react-tooltip";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef } from "react";
import { Spinner } from "../../components/ui.tsx";
import type { AiCorrection } from "./ai-correction.ts";
import type { Thread } from "./list-query.ts";
import { ThreadRow } from "./ThreadRow.tsx";

// A row's height before it is measured: sender, subject and snippet lines, plus the marks line when
// the thread has been analysed.
const estimate = (thread: Thread | undefined) => (thread?.ai ? 121 : 89);
// Start loading the next page this many rows before the end, so scrolling rarely waits for it.
const PREFETCH_ROWS = 40;

export interface ThreadListProps {
  items: Thread[];
  label: string;
  cursor: number;
  openId: string | undefined;
  checked: ReadonlySet<string>;
  own: Set<string>;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  onCursor: (index: number) => void;
  onCheck: (threadId: string, extend: boolean) => void;
  onCorrect: (thread: Thread, correction: AiCorrection) => void;
}

/**
 * The conversations, virtualized: only the rows in view (and a few around them) are in the page,
 * however many thousands are loaded, and the next page loads as the end comes near. The cursor row
 * (j/k) is scrolled into view, and takes the focus when the focus was already in the list.
 */
export function ThreadList({
  items,
  label,
  cursor,
  openId,
  checked,
  own,
  hasMore,
  loadingMore,
  loadMore,
  onCursor,
  onCheck,
  onCorrect,
}: ThreadListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const focusCursor = useRef(false);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => estimate(items[index]),
    getItemKey: (index) => items[index]?.id ?? index,
    overscan: 8,
    // Renders on scroll go through React's scheduler (batched) rather than flushSync per event.
    useFlushSync: false,
  });
  const rows = virtualizer.getVirtualItems();
  const lastRendered = rows.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastRendered >= items.length - PREFETCH_ROWS) loadMore();
  }, [hasMore, loadingMore, lastRendered, items.length, loadMore]);

  // Only a cursor move scrolls (never a page arriving, which would pull the reader back up).
  const count = useRef(items.length);
  count.current = items.length;
  // A cursor moved by focus (a click on a row's checkbox, Tab) is where the user already is: scrolling
  // there would move the row from under a click still in progress (mouseup on another row).
  const movedByFocus = useRef(false);
  useEffect(() => {
    if (movedByFocus.current) {
      movedByFocus.current = false;
      return;
    }
    if (cursor >= count.current) return;
    focusCursor.current = Boolean(listRef.current?.contains(document.activeElement));
    virtualizer.scrollToIndex(cursor, { align: "auto" });
  }, [cursor, virtualizer]);

  // Once the cursor row is rendered (after the scroll above), it takes the focus if the list had it
  // and it is not already on a control of that row.
  useEffect(() => {
    if (!focusCursor.current || !rows.some((row) => row.index === cursor)) return;
    focusCursor.current = false;
    if (document.activeElement?.closest("li")?.dataset.index === String(cursor)) return;
    listRef.current?.querySelector<HTMLElement>(`[data-index="${cursor}"] a`)?.focus({ preventScroll: true });
  });

  const setSize = hasMore ? -1 : items.length;
  return (
    <div ref={scrollRef} className="min-h-0 flex-1 overflow-y-auto overscroll-contain" data-testid="thread-scroller">
      <Tooltip.Provider delayDuration={300}>
        <ul
          ref={listRef}
          aria-label={label}
          data-testid="thread-list"
          className="relative w-full"
          style={{ height: virtualizer.getTotalSize() }}
          onFocus={(event) => {
            // Tabbing into a row moves the cursor there, so j/k continue from what has the focus.
            const index = Number(event.target.closest("li")?.dataset.index);
            if (Number.isInteger(index) && index !== cursor) {
              movedByFocus.current = true;
              onCursor(index);
            }
          }}
        >
          {rows.map((row) => {
            const thread = items[row.index];
            if (!thread) return null;
            return (
              <ThreadRow
                key={row.key}
                thread={thread}
                index={row.index}
                start={row.start}
                setSize={setSize}
                cursor={row.index === cursor}
                open={thread.id === openId}
                checked={checked.has(thread.id)}
                own={own}
                measure={virtualizer.measureElement}
                onCheck={onCheck}
                onCorrect={onCorrect}
              />
            );
          })}
        </ul>
      </Tooltip.Provider>
      {loadingMore && (
        <p className="flex items-center justify-center gap-2 py-4 text-sm text-muted" role="status">
          <Spinner /> Loading more…
        </p>
      )}
      {!hasMore && items.length > 20 && (
        <p className="py-4 text-center text-xs text-muted">
          {items.length.toLocaleString()} conversations · that is all
        </p>
      )}
    </div>
  );
}
