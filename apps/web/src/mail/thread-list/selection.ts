import { useCallback, useEffect, useState } from "react";

/**
 * The conversations picked for a bulk action. Picks belong to one list: another folder, search or
 * filter (`listKey`) starts with none.
 */
export function useSelection(listKey: string) {
  const [picked, setPicked] = useState<ReadonlySet<string>>(() => new Set());
  useEffect(() => {
    void listKey;
    setPicked(new Set());
  }, [listKey]);
  const toggle = useCallback(
    (threadId: string) =>
      setPicked((before) => {
        const next = new Set(before);
        if (!next.delete(threadId)) next.add(threadId);
        return next;
      }),
    [],
  );
  const clear = useCallback(() => setPicked(new Set()), []);
  return { picked, toggle, clear };
}

/** mail.update takes at most 100 threads at once: a bigger bulk action goes in slices. */
export function slices<T>(all: readonly T[], size = 100): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < all.length; start += size) out.push(all.slice(start, start + size));
  return out;
}
