import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import {
  allowedResult,
  assertValidRule,
  deniedResult,
  type RateLimiter,
  type RateLimitResult,
  type RateLimitRule,
} from "./rate-limiter.ts";
import { rateLimitRedisKey } from "./redis-key.ts";
import { SLIDING_WINDOW_SCRIPT } from "./sliding-window-script.ts";

const SCRIPT_SHA = createHash("sha1").update(SLIDING_WINDOW_SCRIPT).digest("hex");

// Members of a window must be unique across processes: a random id per process and a counter
// (fresh random bytes on every attempt cost a good share of a cheap request).
const PROCESS_NONCE = randomBytes(9).toString("base64url");
let attemptCounter = 0;
const attemptNonce = () => `${PROCESS_NONCE}${(attemptCounter++).toString(36)}`;

/** A sliding-window limiter whose counts live in Redis, shared by every server process. */
export function createRedisRateLimiter(redis: Redis, prefix: string): RateLimiter {
  const run = async (rule: RateLimitRule, key: string, count: boolean) => {
    assertValidRule(rule);
    const reply = await evalSlidingWindow(redis, rateLimitRedisKey(prefix, rule, key), [
      String(rule.limit),
      String(rule.windowSeconds * 1_000_000),
      count ? "1" : "0",
      attemptNonce(),
      String(rule.windowSeconds * 1000),
    ]);
    return toResult(reply);
  };

  return {
    consume: (rule, key) => run(rule, key, true),
    peek: (rule, key) => run(rule, key, false),
    reset: async (rule, key) => {
      assertValidRule(rule);
      await redis.del(rateLimitRedisKey(prefix, rule, key));
    },
  };
}

// EVALSHA saves resending the script on every attempt; EVAL covers a server that has not seen it yet
// (new server, restart, SCRIPT FLUSH). This leaves the shared client untouched, unlike defineCommand.
async function evalSlidingWindow(redis: Redis, key: string, args: string[]): Promise<unknown> {
  try {
    return await redis.evalsha(SCRIPT_SHA, 1, key, ...args);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
    return redis.eval(SLIDING_WINDOW_SCRIPT, 1, key, ...args);
  }
}

function toResult(reply: unknown): RateLimitResult {
  if (!Array.isArray(reply) || reply.length !== 3 || !reply.every((value) => typeof value === "number")) {
    throw new Error(`Unexpected reply from the rate limit script: ${JSON.stringify(reply)}`);
  }
  const [allowed, remaining, waitMicroseconds] = reply as [number, number, number];
  return allowed === 1 ? allowedResult(remaining) : deniedResult(waitMicroseconds / 1000);
}
