import type { InfiniteData } from "@tanstack/react-query";
import type { Thread, ThreadPage } from "./list-query.ts";

// How a loaded list takes a live change without reloading its pages: the threads an event named are
// taken out of every page, and the ones that still belong in the list (as the server answered them,
// fresh) go back where its order puts them. Pure functions, so the rules are testable without React.

export type ListPages = InfiniteData<ThreadPage, unknown>;
export type ListSort = "date" | "priority";

const PRIORITY_RANK = { high: 2, normal: 1, low: 0 } as const;

// Unanalysed threads rank with "normal", as the server sorts them.
const rank = (thread: Thread) => PRIORITY_RANK[thread.ai?.priority ?? "normal"];

/** Negative when `a` lists before `b`: the server's order (newest first, then id; by rank first for "priority"). */
export function compareThreads(a: Thread, b: Thread, sort: ListSort): number {
  if (sort === "priority" && rank(a) !== rank(b)) return rank(b) - rank(a);
  const byTime = new Date(b.lastMessageAt).getTime() - new Date(a.lastMessageAt).getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * The pages with the `named` threads replaced by `fresh` (the server's current summaries of those
 * of them still in the list). A fresh thread that sorts after every loaded row is left to the page
 * that will load it, unless the list is complete; so no thread shows twice once that page comes.
 */
export function patchPages(
  data: ListPages,
  named: readonly string[],
  fresh: readonly Thread[],
  sort: ListSort,
): ListPages {
  const out = new Set(named);
  const pages = data.pages.map((page) => ({ ...page, items: page.items.filter((thread) => !out.has(thread.id)) }));
  const complete = (pages.at(-1)?.nextCursor ?? null) === null;
  for (const thread of [...fresh].sort((a, b) => compareThreads(a, b, sort))) {
    let placed = false;
    for (const page of pages) {
      const at = page.items.findIndex((listed) => compareThreads(thread, listed, sort) < 0);
      if (at < 0) continue;
      page.items.splice(at, 0, thread);
      placed = true;
      break;
    }
    if (!placed && complete) pages.at(-1)?.items.push(thread);
  }
  return { ...data, pages };
}

/** The pages without these threads (deleted, or gone from the server). */
export function removeThreads(data: ListPages, threadIds: readonly string[]): ListPages {
  return patchPages(data, threadIds, [], "date");
}

/** Every loaded thread once, in page order: a thread a race put on two pages shows on the first. */
export function flattenPages(data: ListPages | undefined): Thread[] {
  const seen = new Set<string>();
  const items: Thread[] = [];
  for (const page of data?.pages ?? []) {
    for (const thread of page.items) {
      if (seen.has(thread.id)) continue;
      seen.add(thread.id);
      items.push(thread);
    }
  }
  return items;
}
