import { createTestRedis, services, type TestRedis } from "@tidings/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeEmail } from "../src/email-address.ts";
import {
  createMemoryRevocationStore,
  createRedisRevocationStore,
  type RedisRevocationOptions,
} from "../src/revocation.ts";

describe.skipIf(!services().redis)("revocation store on Redis", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await createTestRedis();
  });
  afterAll(() => redis?.cleanup());

  it("is seen by every process (connection) at once and expires with the access token", async () => {
    const writer = createRedisRevocationStore(redis.client, redis.prefix);
    const otherProcess = createRedisRevocationStore(redis.client.duplicate(), redis.prefix);
    expect(await otherProcess.isRevoked("s1")).toBe(false);
    await writer.revoke(["s1", "s2"], 900);
    expect(await otherProcess.isRevoked("s1")).toBe(true);
    expect(await otherProcess.isRevoked("s2")).toBe(true);
    expect(await redis.client.ttl(`${redis.prefix}:revoked-session:s1`)).toBeGreaterThan(890);
  });
});

describe.skipIf(!services().redis)("revocation store with a pub/sub subscriber", () => {
  let redis: TestRedis;
  const connections: Redis[] = [];
  beforeAll(async () => {
    redis = await createTestRedis();
  });
  afterAll(async () => {
    for (const connection of connections) connection.disconnect();
    await redis?.cleanup();
  });

  /** A store as one server process has it: its own command and subscriber connections. */
  async function processStore(options: Omit<RedisRevocationOptions, "subscriber"> = {}) {
    const client = redis.client.duplicate();
    const subscriber = redis.client.duplicate();
    connections.push(client, subscriber);
    const store = createRedisRevocationStore(client, redis.prefix, { ...options, subscriber });
    await expect.poll(() => store.isListening?.()).toBe(true);
    return { store, client, subscriber };
  }

  it("answers repeated checks from memory and still learns another process's revocation", async () => {
    const writer = await processStore();
    const reader = await processStore();
    const monitor = await redis.client.duplicate().monitor();
    connections.push(monitor as unknown as Redis);
    const commands: string[] = [];
    monitor.on("monitor", (_time: string, args: string[]) => commands.push(args.join(" ")));

    expect(await reader.store.isRevoked("s-cached")).toBe(false);
    for (let i = 0; i < 20; i++) expect(await reader.store.isRevoked("s-cached")).toBe(false);
    await writer.store.revoke(["s-cached"], 900);
    await expect.poll(() => reader.store.isRevoked("s-cached")).toBe(true);
    // One PTTL for 21 checks: the rest came from memory.
    const checks = commands.filter((command) => command.startsWith("pttl") && command.includes("s-cached"));
    expect(checks).toHaveLength(1);
  });

  it("goes back to Redis for every check while its subscription is down", async () => {
    const reader = await processStore();
    expect(await reader.store.isRevoked("s-offline")).toBe(false);
    reader.subscriber.disconnect();
    await expect.poll(() => reader.store.isListening?.()).toBe(false);
    // Written without a message, as if published while this process was not listening.
    await redis.client.set(`${redis.prefix}:revoked-session:s-offline`, "1", "EX", 900);
    expect(await reader.store.isRevoked("s-offline")).toBe(true);
  });

  it("reuses a 'not revoked' answer no longer than negativeCacheMs", async () => {
    let now = 1_000_000;
    const reader = await processStore({ negativeCacheMs: 1_000, now: () => now });
    expect(await reader.store.isRevoked("s-quiet")).toBe(false);
    // A key that appeared without a message (a writer from before pub/sub) is seen once the answer is old.
    await redis.client.set(`${redis.prefix}:revoked-session:s-quiet`, "1", "EX", 900);
    now += 999;
    expect(await reader.store.isRevoked("s-quiet")).toBe(false);
    now += 2;
    expect(await reader.store.isRevoked("s-quiet")).toBe(true);
  });
});

describe("revocation store in memory", () => {
  it("forgets an entry once the access token it guards has expired", async () => {
    let now = 1_000_000;
    const store = createMemoryRevocationStore(() => now);
    await store.revoke(["s1"], 60);
    expect(await store.isRevoked("s1")).toBe(true);
    now += 61_000;
    expect(await store.isRevoked("s1")).toBe(false);
  });
});

describe("normalizeEmail", () => {
  it("makes case, surrounding space and compatibility forms one address", () => {
    expect(normalizeEmail("  Ada@Example.COM ")).toBe("ada@example.com");
    expect(normalizeEmail("ａｄａ@example.com")).toBe("ada@example.com");
  });
});
