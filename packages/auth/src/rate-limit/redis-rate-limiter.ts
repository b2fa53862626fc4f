import { createHash, randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import {
  allowedResult,
  assertValidRule,
  deniedResult,
  type RateLimitCheck,
  type RateLimiter,
  type RateLimitRule,
} from "./rate-limiter.ts";
import { rateLimitRedisKey } from "./redis-key.ts";
import { SLIDING_WINDOW_SCRIPT } from "./sliding-window-script.ts";

const SCRIPT_SHA = createHash("sha1").update(SLIDING_WINDOW_SCRIPT).digest("hex");

interface WalkReply {
  refusedIndex: number;
  remaining: number;
  waitMicroseconds: number;
}

/**
 * A sliding-window limiter whose counts live in Redis, shared by every server process: one script
 * call per attempt, over all of the attempt's rules.
 */
export function createRedisRateLimiter(redis: Redis, prefix: string): RateLimiter {
  const walk = async (checks: readonly RateLimitCheck[], count: boolean): Promise<WalkReply> => {
    const keys: string[] = [];
    const args = [count ? "1" : "0", randomUUID()];
    for (const { rule, key } of checks) {
      assertValidRule(rule);
      keys.push(rateLimitRedisKey(prefix, rule, key));
      args.push(String(rule.limit), String(rule.windowSeconds * 1_000_000), String(rule.windowSeconds * 1000));
    }
    return toReply(await evalSlidingWindow(redis, keys, args), keys.length);
  };
  const single = async (rule: RateLimitRule, key: string, count: boolean) => {
    const { refusedIndex, remaining, waitMicroseconds } = await walk([{ rule, key }], count);
    return refusedIndex === 0 ? allowedResult(remaining) : deniedResult(waitMicroseconds / 1000);
  };

  return {
    consume: (rule, key) => single(rule, key, true),
    consumeEach: async (checks) => {
      if (checks.length === 0) return undefined;
      const { refusedIndex, waitMicroseconds } = await walk(checks, true);
      return refusedIndex === 0
        ? undefined
        : { index: refusedIndex - 1, result: deniedResult(waitMicroseconds / 1000) };
    },
    peek: (rule, key) => single(rule, key, false),
    reset: async (rule, key) => {
      assertValidRule(rule);
      await redis.del(rateLimitRedisKey(prefix, rule, key));
    },
  };
}

// EVALSHA saves resending the script on every attempt; EVAL covers a server that has not seen it yet
// (new server, restart, SCRIPT FLUSH). This leaves the shared client untouched, unlike defineCommand.
async function evalSlidingWindow(redis: Redis, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await redis.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
    return redis.eval(SLIDING_WINDOW_SCRIPT, keys.length, ...keys, ...args);
  }
}

/** Three numbers, each in range; anything else means the script and this code disagree. */
function toReply(reply: unknown, keyCount: number): WalkReply {
  const [refusedIndex, remaining, waitMicroseconds] = Array.isArray(reply) ? (reply as unknown[]) : [];
  if (
    !Array.isArray(reply) ||
    reply.length !== 3 ||
    typeof refusedIndex !== "number" ||
    refusedIndex < 0 ||
    refusedIndex > keyCount ||
    typeof remaining !== "number" ||
    typeof waitMicroseconds !== "number"
  ) {
    throw new Error(`Unexpected reply from the rate limit script: ${JSON.stringify(reply)}`);
  }
  return { refusedIndex, remaining, waitMicroseconds };
}
