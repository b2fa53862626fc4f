import { describe, expect, it } from "vitest";
import { planThread, ThreadIndex, type ThreadKeys } from "../src/index.ts";

const message = (messageId: string | null, inReplyTo: string | null = null, references: string[] = []): ThreadKeys => ({
  messageId,
  inReplyTo,
  references,
});

const sorted = (threads: string[][]) =>
  threads.map((thread) => [...thread].sort()).sort((a, b) => a.join().localeCompare(b.join()));

describe("threading", () => {
  it("follows In-Reply-To and References", () => {
    const index = new ThreadIndex();
    index.add("a", message("a@x"));
    index.add("b", message("b@x", "a@x", ["a@x"]));
    index.add("c", message("c@x", null, ["a@x", "b@x"]));
    index.add("other", message("other@x"));
    expect(sorted(index.threads())).toEqual([["a", "b", "c"], ["other"]]);
  });

  it("never threads by subject alone", () => {
    const index = new ThreadIndex();
    index.add("one", { ...message("1@x"), providerThreadId: null });
    index.add("two", message("2@x"));
    index.add("no-id", message(null));
    expect(index.threads()).toHaveLength(3);
  });

  it("merges two threads when a late message links them", () => {
    const index = new ThreadIndex();
    index.add("root", message("root@x"));
    // The grandchild arrives before its parent; it only names the parent.
    index.add("grandchild", message("gc@x", "child@x", ["child@x"]));
    expect(index.threads()).toHaveLength(2);
    index.add("child", message("child@x", "root@x", ["root@x"]));
    expect(sorted(index.threads())).toEqual([["child", "grandchild", "root"]]);
    // Later messages naming either side land in the merged thread.
    expect(index.add("late", message("late@x", "gc@x"))).toBe(index.threadOf("root"));
  });

  it("uses the provider's thread id (Gmail X-GM-THRID) even without headers", () => {
    const index = new ThreadIndex();
    index.add("g1", { ...message("g1@x"), providerThreadId: "1790" });
    index.add("g2", { ...message("g2@x"), providerThreadId: "1790" });
    index.add("g3", { ...message("g3@x"), providerThreadId: "1791" });
    expect(sorted(index.threads())).toEqual([["g1", "g2"], ["g3"]]);
  });

  it("files the same message seen twice (another folder) in the same thread", () => {
    const index = new ThreadIndex();
    const first = index.add("inbox:1", message("same@x"));
    expect(index.add("archive:7", message("same@x"))).toBe(first);
  });

  it("plans which thread survives a merge: the provider's, else the oldest reference's", () => {
    const known = new Map([
      ["root@x", "T-root"],
      ["mid@x", "T-mid"],
    ]);
    expect(planThread(message("new@x", "mid@x", ["root@x", "mid@x"]), { byMessageId: known })).toEqual({
      threadId: "T-root",
      merge: ["T-mid"],
      claims: ["root@x", "mid@x", "new@x"],
    });
    expect(
      planThread(
        { ...message("new@x", "mid@x"), providerThreadId: "9" },
        { byMessageId: known, byProviderThreadId: "T-gm" },
      ),
    ).toEqual({ threadId: "T-gm", merge: ["T-mid"], claims: ["mid@x", "new@x"] });
    expect(planThread(message("lonely@x"), { byMessageId: known })).toEqual({
      threadId: null,
      merge: [],
      claims: ["lonely@x"],
    });
  });
});
