import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestRedis, services, startOwnRedisServer, type TestRedis } from "@tidings/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMemoryRateLimiter,
  createRedisRateLimiter,
  type RateLimiter,
  type RateLimitRule,
} from "../src/rate-limit/index.ts";

interface Harness {
  limiter: RateLimiter;
  /** Lets time pass: a fake clock for memory, a real wait for Redis. */
  advance(milliseconds: number): Promise<void>;
}

let ruleCount = 0;
/** A rule name of each test's own, so tests sharing one Redis prefix cannot see each other's attempts. */
function freshRule(limit: number, windowSeconds: number): RateLimitRule {
  ruleCount += 1;
  return { name: `test.rule${ruleCount}`, limit, windowSeconds };
}

async function consumeTimes(limiter: RateLimiter, rule: RateLimitRule, key: string, times: number) {
  const results = [];
  for (let i = 0; i < times; i++) results.push(await limiter.consume(rule, key));
  return results;
}

function behavesLikeARateLimiter(harness: () => Harness) {
  it("admits up to the limit, then denies with a retry-after within the window", async () => {
    const { limiter } = harness();
    const rule = freshRule(3, 60);
    const results = await consumeTimes(limiter, rule, "alice@example.com", 4);
    expect(results.slice(0, 3)).toEqual([
      { allowed: true, remaining: 2, retryAfterSeconds: 0 },
      { allowed: true, remaining: 1, retryAfterSeconds: 0 },
      { allowed: true, remaining: 0, retryAfterSeconds: 0 },
    ]);
    expect(results[3]).toMatchObject({ allowed: false, remaining: 0 });
    expect(results[3]?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(results[3]?.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it("admits exactly the limit out of 50 parallel attempts", async () => {
    const { limiter } = harness();
    const rule = freshRule(5, 30);
    const results = await Promise.all(Array.from({ length: 50 }, () => limiter.consume(rule, "10.0.0.1")));
    expect(results.filter((result) => result.allowed)).toHaveLength(5);
    for (const denied of results.filter((result) => !result.allowed)) {
      expect(denied.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(denied.retryAfterSeconds).toBeLessThanOrEqual(30);
    }
  });

  it("admits again once the window has slid past the earlier attempts", async () => {
    const { limiter, advance } = harness();
    const rule = freshRule(2, 1);
    await consumeTimes(limiter, rule, "bob", 2);
    expect((await limiter.consume(rule, "bob")).allowed).toBe(false);
    await advance(1_100);
    expect(await limiter.consume(rule, "bob")).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 0 });
  });

  it("does not count denied attempts", async () => {
    const { limiter, advance } = harness();
    const rule = freshRule(2, 1);
    await consumeTimes(limiter, rule, "carol", 7);
    await advance(1_100);
    expect(await limiter.consume(rule, "carol")).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 0 });
  });

  it("keeps keys and rule names independent", async () => {
    const { limiter } = harness();
    const rule = freshRule(1, 60);
    const otherRule = freshRule(1, 60);
    expect((await limiter.consume(rule, "dave")).allowed).toBe(true);
    expect((await limiter.consume(rule, "dave")).allowed).toBe(false);
    expect((await limiter.consume(rule, "erin")).allowed).toBe(true);
    expect((await limiter.consume(otherRule, "dave")).allowed).toBe(true);
  });

  it("peeks without counting", async () => {
    const { limiter } = harness();
    const rule = freshRule(2, 60);
    for (let i = 0; i < 5; i++) {
      expect(await limiter.peek(rule, "frank")).toEqual({ allowed: true, remaining: 2, retryAfterSeconds: 0 });
    }
    await limiter.consume(rule, "frank");
    expect(await limiter.peek(rule, "frank")).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 0 });
    await limiter.consume(rule, "frank");
    const full = await limiter.peek(rule, "frank");
    expect(full).toMatchObject({ allowed: false, remaining: 0 });
    expect(full.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it("forgets a key's attempts on reset, and only that key's", async () => {
    const { limiter } = harness();
    const rule = freshRule(1, 60);
    await limiter.consume(rule, "grace");
    await limiter.consume(rule, "heidi");
    await limiter.reset(rule, "grace");
    expect((await limiter.consume(rule, "grace")).allowed).toBe(true);
    expect((await limiter.consume(rule, "heidi")).allowed).toBe(false);
  });

  it("walks several rules in order, stopping at the first that refuses", async () => {
    const { limiter } = harness();
    const perAddress = freshRule(3, 60);
    const perAccount = freshRule(1, 60);
    const checks = [
      { rule: perAddress, key: "10.0.0.9" },
      { rule: perAccount, key: "ivan@example.com" },
    ];
    expect(await limiter.consumeEach(checks)).toBeUndefined();
    const refused = await limiter.consumeEach(checks);
    expect(refused?.index).toBe(1);
    expect(refused?.result).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused?.result.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Both walks counted against the first rule: one slot of three is left.
    expect(await limiter.peek(perAddress, "10.0.0.9")).toMatchObject({ allowed: true, remaining: 1 });
    expect(await limiter.consumeEach([{ rule: perAddress, key: "10.0.0.9" }])).toBeUndefined();
    // A refusal by the first rule leaves the second untouched.
    const other = freshRule(5, 60);
    const stopped = await limiter.consumeEach([
      { rule: perAddress, key: "10.0.0.9" },
      { rule: other, key: "judy@example.com" },
    ]);
    expect(stopped?.index).toBe(0);
    expect(await limiter.peek(other, "judy@example.com")).toMatchObject({ allowed: true, remaining: 5 });
    expect(await limiter.consumeEach([])).toBeUndefined();
  });

  it("admits exactly the limit of the shared rule out of 50 parallel walks", async () => {
    const { limiter } = harness();
    const shared = freshRule(5, 30);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        limiter.consumeEach([
          { rule: shared, key: "10.0.0.10" },
          { rule: freshRule(10, 30), key: `user-${i}` },
        ]),
      ),
    );
    expect(results.filter((refused) => refused === undefined)).toHaveLength(5);
    expect(results.filter((refused) => refused?.index === 0)).toHaveLength(45);
  });

  it("refuses malformed rules", async () => {
    const { limiter } = harness();
    await expect(limiter.consume({ name: "x", limit: 0, windowSeconds: 60 }, "k")).rejects.toThrow(/limit/);
    await expect(limiter.consume({ name: "x", limit: 1, windowSeconds: 0.5 }, "k")).rejects.toThrow(/windowSeconds/);
    await expect(limiter.peek({ name: "has space", limit: 1, windowSeconds: 1 }, "k")).rejects.toThrow(/name/);
  });
}

describe("memory rate limiter (embedded mode)", () => {
  behavesLikeARateLimiter(() => {
    let clock = 1_700_000_000_000;
    return {
      limiter: createMemoryRateLimiter(() => clock),
      advance: async (milliseconds) => {
        clock += milliseconds;
      },
    };
  });

  it("slides attempt by attempt, with retry-after counted from the oldest one", async () => {
    let clock = 0;
    const limiter = createMemoryRateLimiter(() => clock);
    const rule = freshRule(2, 10);
    await limiter.consume(rule, "k");
    clock = 4_000;
    await limiter.consume(rule, "k");
    clock = 5_000;
    expect(await limiter.consume(rule, "k")).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 5 });
    clock = 9_999;
    expect(await limiter.consume(rule, "k")).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    clock = 10_000;
    expect(await limiter.consume(rule, "k")).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
    expect(await limiter.consume(rule, "k")).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 4 });
  });

  it("sweeps out expired keys, so memory does not grow with keys seen long ago", async () => {
    let clock = 0;
    const limiter = createMemoryRateLimiter(() => clock, { sweepIntervalMs: 1_000 });
    const rule = freshRule(1, 1);
    for (let i = 0; i < 100; i++) await limiter.consume(rule, `ip-${i}`);
    expect(limiter.trackedKeys()).toBe(100);
    clock = 2_000;
    await limiter.peek(rule, "someone-else");
    expect(limiter.trackedKeys()).toBe(0);
  });

  it("answers as a plain sliding-window log would, over 20 000 random calls and large windows", async () => {
    // The model keeps every live attempt in a sorted array, filtered on each call: obviously right, and slow.
    const model = new Map<string, number[]>();
    const modelCheck = (rule: RateLimitRule, key: string, count: boolean, at: number) => {
      const id = `${rule.name}/${key}`;
      const live = (model.get(id) ?? []).filter((time) => time > at - rule.windowSeconds * 1000);
      const allowed = live.length < rule.limit;
      if (allowed && count) {
        live.push(at);
        live.sort((a, b) => a - b);
      }
      model.set(id, live);
      if (allowed) return { allowed: true, remaining: rule.limit - live.length, retryAfterSeconds: 0 };
      const wait = (live[live.length - rule.limit] ?? at) + rule.windowSeconds * 1000 - at;
      return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
    };

    let clock = 1_000_000;
    // No sweeps: one between a step back and a call would drop attempts the model, which only
    // filters the key it is asked about, still counts (the sweep has its own test above).
    const limiter = createMemoryRateLimiter(() => clock, { sweepIntervalMs: Number.POSITIVE_INFINITY });
    // Each rule both refuses and sees expired attempts pile up ahead of the live ones and get
    // compacted away (about 140 calls per second per key and rule).
    const rules = [freshRule(3, 2), freshRule(12, 1), freshRule(40, 3)];
    // xorshift32: seeded, so a failure repeats; its low bits are as random as its high ones.
    let seed = 42;
    const random = (below: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % below;
    };
    for (let call = 0; call < 20_000; call++) {
      // Mostly a few milliseconds on, at times a jump past a window, now and then a step back.
      const step = random(10_000);
      clock += step < 9_898 ? random(4) : step < 9_998 ? -random(100) : random(3_000);
      const rule = rules[random(rules.length)] as RateLimitRule;
      const key = `k${random(2)}`;
      // Now and then a reset (one in 200), a peek (one in 10), else an attempt.
      const action = random(200);
      if (action === 0) {
        await limiter.reset(rule, key);
        model.delete(`${rule.name}/${key}`);
        continue;
      }
      const count = action > 20;
      const expected = modelCheck(rule, key, count, clock);
      const actual = count ? await limiter.consume(rule, key) : await limiter.peek(rule, key);
      expect(actual, `call ${call}`).toEqual(expected);
    }
  });

  it("caps the keys it tracks, forgetting the least recently used", async () => {
    const limiter = createMemoryRateLimiter(() => 0, { maxKeys: 3 });
    const rule = freshRule(1, 60);
    for (const key of ["a", "b", "c"]) await limiter.consume(rule, key);
    await limiter.consume(rule, "a");
    await limiter.consume(rule, "d");
    expect(limiter.trackedKeys()).toBe(3);
    expect((await limiter.consume(rule, "a")).allowed).toBe(false);
    expect((await limiter.consume(rule, "b")).allowed).toBe(true);
  });
});

describe.skipIf(!services().redis)("Redis rate limiter", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await createTestRedis();
  });
  afterAll(() => redis?.cleanup());

  behavesLikeARateLimiter(() => ({
    limiter: createRedisRateLimiter(redis.client, redis.prefix),
    advance: (milliseconds) => sleep(milliseconds),
  }));

  it("admits exactly the limit out of 50 parallel attempts spread over 5 connections", async () => {
    const connections = Array.from({ length: 5 }, () => new Redis(redis.url));
    try {
      const limiters = connections.map((connection) => createRedisRateLimiter(connection, redis.prefix));
      const rule = freshRule(5, 30);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => limiters[i % limiters.length]?.consume(rule, "mallory@example.com")),
      );
      expect(results.filter((result) => result?.allowed)).toHaveLength(5);
      for (const denied of results.filter((result) => !result?.allowed)) {
        expect(denied?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(denied?.retryAfterSeconds).toBeLessThanOrEqual(30);
      }
    } finally {
      for (const connection of connections) connection.disconnect();
    }
  });

  it("stores a hash of the key, never the key itself, and expires it with the window", async () => {
    const limiter = createRedisRateLimiter(redis.client, redis.prefix);
    const rule = freshRule(3, 45);
    await limiter.consume(rule, "victor@example.com");
    const keys = await redis.client.keys(`${redis.prefix}:rl:${rule.name}:*`);
    const digest = createHash("sha256").update("victor@example.com").digest("base64url");
    expect(keys).toEqual([`${redis.prefix}:rl:${rule.name}:${digest}`]);
    expect(keys[0]).not.toMatch(/victor|example/);
    const ttl = await redis.client.pttl(keys[0] ?? "");
    expect(ttl).toBeGreaterThan(40_000);
    expect(ttl).toBeLessThanOrEqual(45_000);
  });

  it("fails only the attempt whose key holds another type", async () => {
    const limiter = createRedisRateLimiter(redis.client, redis.prefix);
    const rule = freshRule(5, 60);
    const digest = createHash("sha256").update("pat@example.com").digest("base64url");
    await redis.client.set(`${redis.prefix}:rl:${rule.name}:${digest}`, "not a sorted set");
    const results = await Promise.allSettled([
      limiter.consume(rule, "quinn@example.com"),
      limiter.consume(rule, "pat@example.com"),
      limiter.consumeEach([{ rule, key: "rae@example.com" }]),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await limiter.peek(rule, "quinn@example.com")).toMatchObject({ remaining: 4 });
  });

  it("works against a server that has never seen the script", async () => {
    const server = await startOwnRedisServer();
    const client = new Redis(server.url);
    try {
      const limiter = createRedisRateLimiter(client, "fresh");
      const rule = freshRule(1, 60);
      expect((await limiter.consume(rule, "k")).allowed).toBe(true);
      expect((await limiter.consume(rule, "k")).allowed).toBe(false);
    } finally {
      client.disconnect();
      await server.dispose();
    }
  });
});
