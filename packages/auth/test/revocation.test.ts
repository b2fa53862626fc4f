import { createTestRedis, services, type TestRedis } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeEmail } from "../src/email-address.ts";
import { createMemoryRevocationStore, createRedisRevocationStore } from "../src/revocation.ts";

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
