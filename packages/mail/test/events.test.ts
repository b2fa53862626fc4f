import { describe, expect, it } from "vitest";
import { createMemoryMailEventBus, type DeliveredMailEvent } from "../src/index.ts";

describe("in-process mail event bus", () => {
  it("delivers a user's events to that user's listeners only, and replays what came after an id", async () => {
    const bus = createMemoryMailEventBus();
    const seen: DeliveredMailEvent[] = [];
    const others: DeliveredMailEvent[] = [];
    const stop = bus.subscribe("u1", (delivered) => seen.push(delivered));
    bus.subscribe("u2", (delivered) => others.push(delivered));
    await bus.publish("u1", { type: "thread.updated", accountId: "a", threadId: "t1" });
    await bus.publish("u1", { type: "thread.removed", accountId: "a", threadId: "t2" });
    stop();
    await bus.publish("u1", { type: "thread.updated", accountId: "a", threadId: "t3" });
    expect(seen.map((d) => d.event.type)).toEqual(["thread.updated", "thread.removed"]);
    expect(others).toEqual([]);
    const replay = await bus.since("u1", seen[0]?.id ?? "");
    expect(replay.map((d) => (d.event as { threadId: string }).threadId)).toEqual(["t2", "t3"]);
  });
});
