import { createTestRedis, services, type TestRedis } from "@tidings/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRedisMailEventBus, type DeliveredMailEvent, type RedisMailEventBus } from "../src/index.ts";

describe.skipIf(!services().redis)("Redis mail event bus", () => {
  let redis: TestRedis;
  let first: RedisMailEventBus;
  let second: RedisMailEventBus;
  const connections: Redis[] = [];

  beforeAll(async () => {
    redis = await createTestRedis();
    // Two buses on two connections, as a worker and a server process would hold them.
    connections.push(redis.client.duplicate(), redis.client.duplicate());
    const [a, b] = connections as [Redis, Redis];
    first = createRedisMailEventBus(a, redis.prefix);
    second = createRedisMailEventBus(b, redis.prefix);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    for (const connection of connections) connection.disconnect();
    await redis?.cleanup();
  });

  it("delivers a user's events live to subscribers on other connections, and to that user only", async () => {
    const onFirst: DeliveredMailEvent[] = [];
    const onSecond: DeliveredMailEvent[] = [];
    const otherUser: DeliveredMailEvent[] = [];
    const stopFirst = first.subscribe("u1", (delivered) => onFirst.push(delivered));
    second.subscribe("u1", (delivered) => onSecond.push(delivered));
    second.subscribe("u2", (delivered) => otherUser.push(delivered));
    await Promise.all([first.ready(), second.ready()]);

    await first.publish("u1", { type: "thread.updated", accountId: "a", threadId: "t1" });
    await second.publish("u1", { type: "folder.counts", accountId: "a", folderId: "f", unread: 2, total: 5 });
    await vi.waitFor(() => expect(onSecond).toHaveLength(2), { timeout: 5_000 });
    await vi.waitFor(() => expect(onFirst).toHaveLength(2), { timeout: 5_000 });
    expect(onFirst.map((d) => d.event)).toEqual([
      { type: "thread.updated", accountId: "a", threadId: "t1" },
      { type: "folder.counts", accountId: "a", folderId: "f", unread: 2, total: 5 },
    ]);
    // Both connections see the same ids, in order, so either can resume from the other's last id.
    expect(onSecond.map((d) => d.id)).toEqual(onFirst.map((d) => d.id));
    expect(onFirst.every((d) => d.userId === "u1")).toBe(true);
    expect(otherUser).toEqual([]);

    stopFirst();
    await first.ready();
    await second.publish("u1", { type: "thread.removed", accountId: "a", threadId: "t2" });
    await vi.waitFor(() => expect(onSecond).toHaveLength(3), { timeout: 5_000 });
    expect(onFirst).toHaveLength(2);
  });

  it("replays what came after an id with since(), oldest first, on any connection", async () => {
    const seen: DeliveredMailEvent[] = [];
    first.subscribe("u3", (delivered) => seen.push(delivered));
    await first.ready();
    for (const threadId of ["a", "b", "c", "d"]) {
      await second.publish("u3", { type: "thread.updated", accountId: "acc", threadId });
    }
    await vi.waitFor(() => expect(seen).toHaveLength(4), { timeout: 5_000 });
    const lastSeen = seen[1]?.id ?? "";
    const replay = await second.since("u3", lastSeen);
    expect(replay.map((d) => (d.event as { threadId: string }).threadId)).toEqual(["c", "d"]);
    expect(replay.map((d) => d.id)).toEqual(seen.slice(2).map((d) => d.id));
    expect(await first.since("u3", seen[3]?.id ?? "")).toEqual([]);
    // Another user's history is not reachable, and a made-up id replays nothing instead of failing.
    expect(await first.since("u1", lastSeen)).toEqual([]);
    expect(await first.since("u3", "not-an-id")).toEqual([]);
  });
});
