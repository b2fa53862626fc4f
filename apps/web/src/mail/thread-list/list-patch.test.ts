import { describe, expect, it } from "vitest";
import { type ListPages, patchPages, removeThreads } from "./list-patch.ts";
import type { Thread } from "./list-query.ts";

// Only what the list's order reads; the rest of a summary does not matter to where a row goes.
const thread = (id: string, minute: number, priority?: "high" | "normal" | "low") =>
  ({
    id,
    lastMessageAt: new Date(Date.UTC(2026, 11, 4, 12, minute)),
    ai: priority ? { priority } : null,
  }) as unknown as Thread;

const pages = (...chunks: [Thread[], string | null][]): ListPages => ({
  pages: chunks.map(([items, nextCursor]) => ({ items, nextCursor })),
  pageParams: chunks.map((_, index) => (index === 0 ? null : `cursor-${index}`)),
});

const ids = (data: ListPages) => data.pages.map((page) => page.items.map((item) => item.id));

describe("patching a loaded thread list from a live event", () => {
  const loaded = pages([[thread("a", 50), thread("b", 40)], "c1"], [[thread("c", 30), thread("d", 20)], "c2"]);

  it("puts new mail at the top and takes the thread off the deeper page it was on (no row twice)", () => {
    expect(ids(patchPages(loaded, ["d"], [thread("d", 59)], "date"))).toEqual([["d", "a", "b"], ["c"]]);
  });

  it("updates a row in place, and takes out a thread the server no longer lists here", () => {
    expect(ids(patchPages(loaded, ["c"], [thread("c", 30)], "date"))).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(ids(patchPages(loaded, ["b"], [], "date"))).toEqual([["a"], ["c", "d"]]);
    expect(ids(removeThreads(loaded, ["a", "c"]))).toEqual([["b"], ["d"]]);
  });

  it("leaves a thread that sorts after every loaded row to the page that will load it, unless the list is complete", () => {
    expect(ids(patchPages(loaded, ["z"], [thread("z", 1)], "date"))).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    const complete = pages([[thread("a", 50)], "c1"], [[thread("c", 30)], null]);
    expect(ids(patchPages(complete, ["z"], [thread("z", 1)], "date"))).toEqual([["a"], ["c", "z"]]);
  });

  it("orders by priority first in the priority list, unanalysed with normal", () => {
    const byPriority = pages([[thread("h", 10, "high"), thread("n", 50), thread("l", 55, "low")], null]);
    expect(ids(patchPages(byPriority, ["x"], [thread("x", 40, "normal")], "priority"))).toEqual([["h", "n", "x", "l"]]);
    expect(ids(patchPages(byPriority, ["l"], [thread("l", 55, "high")], "priority"))).toEqual([["l", "h", "n"]]);
  });
});
