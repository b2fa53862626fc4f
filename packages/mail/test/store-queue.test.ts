import { describe, expect, it } from "vitest";
import { StoreQueue } from "../src/sync/store-queue.ts";

/** A step that records when it starts and ends, and finishes when told. */
function step(log: string[], name: string) {
  let finish: (error?: Error) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    finish = (error) => (error ? reject(error) : resolve());
  });
  return {
    run: async () => {
      log.push(`${name} started`);
      await done;
      log.push(`${name} ended`);
    },
    finish,
  };
}

describe("StoreQueue", () => {
  it("runs one store at a time in order, while the caller goes on preparing the next", async () => {
    const log: string[] = [];
    const queue = new StoreQueue();
    const first = step(log, "first");
    const second = step(log, "second");
    await queue.add(first.run);
    // add answered while the first store runs: the caller fetches the next slice meanwhile.
    log.push("fetching the next slice");
    queue.afterStored(() => {
      log.push("progress");
    });
    const adding = queue.add(second.run);
    await Promise.resolve();
    expect(log).toEqual(["first started", "fetching the next slice"]);
    first.finish();
    await adding;
    second.finish();
    await queue.drain();
    expect(log).toEqual([
      "first started",
      "fetching the next slice",
      "first ended",
      "progress",
      "second started",
      "second ended",
    ]);
  });

  it("throws a store's failure at the next add and at drain; settled waits for it without throwing", async () => {
    const queue = new StoreQueue();
    const failing = step([], "failing");
    await queue.add(failing.run);
    const next = step([], "next");
    const adding = queue.add(next.run);
    failing.finish(new Error("store failed"));
    await expect(adding).rejects.toThrow("store failed");
    await expect(queue.drain()).rejects.toThrow("store failed");
    await expect(queue.settled()).resolves.toBeUndefined();
  });
});
