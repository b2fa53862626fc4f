import { useCallback, useEffect, useRef, useState } from "react";

/**
 * The picks after a click on `target`: alone it flips that one; with Shift (`extend`) every thread
 * from the previous click (`anchor`) to it, in list order, takes the state the target takes, as in
 * a desktop mail client. Without an anchor still listed, Shift does what a plain click does.
 */
export function pickRange(
  picked: ReadonlySet<string>,
  order: readonly string[],
  anchor: string | undefined,
  target: string,
  extend: boolean,
): Set<string> {
  const next = new Set(picked);
  const on = !picked.has(target);
  const from = extend && anchor !== undefined ? order.indexOf(anchor) : -1;
  const to = order.indexOf(target);
  const range = from < 0 || to < 0 ? [target] : order.slice(Math.min(from, to), Math.max(from, to) + 1);
  for (const id of range) {
    if (on) next.add(id);
    else next.delete(id);
  }
  return next;
}

/** What the "select all loaded" box shows for these picks out of the loaded threads. */
export function allState(picked: ReadonlySet<string>, order: readonly string[]): boolean | "mixed" {
  const count = order.filter((id) => picked.has(id)).length;
  return count === 0 ? false : count === order.length ? true : "mixed";
}

/**
 * The conversations picked for a bulk action. Picks belong to one list: another folder, search or
 * filter (`listKey`) starts with none. `order` answers the list's thread ids as loaded now, for ranges.
 */
export function useSelection(listKey: string, order: () => readonly string[]) {
  const [picked, setPicked] = useState<ReadonlySet<string>>(() => new Set());
  // The last thread clicked or toggled: where a Shift range starts.
  const anchor = useRef<string | undefined>(undefined);
  const orderRef = useRef(order);
  orderRef.current = order;
  useEffect(() => {
    void listKey;
    anchor.current = undefined;
    setPicked(new Set());
  }, [listKey]);
  const toggle = useCallback((threadId: string, extend = false) => {
    const from = anchor.current;
    anchor.current = threadId;
    setPicked((before) => pickRange(before, orderRef.current(), from, threadId, extend));
  }, []);
  /** Adds one thread without moving anything else (Shift+j/k walking a range). */
  const add = useCallback((threadId: string) => {
    anchor.current = threadId;
    setPicked((before) => (before.has(threadId) ? before : new Set(before).add(threadId)));
  }, []);
  const setAll = useCallback((on: boolean) => {
    anchor.current = undefined;
    setPicked(on ? new Set(orderRef.current()) : new Set());
  }, []);
  const clear = useCallback(() => setAll(false), [setAll]);
  return { picked, toggle, add, setAll, clear };
}

/** mail.update takes at most 100 threads at once: a bigger bulk action goes in slices. */
export function slices<T>(all: readonly T[], size = 100): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < all.length; start += size) out.push(all.slice(start, start + size));
  return out;
}
