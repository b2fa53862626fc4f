import { createHash, randomBytes } from "node:crypto";
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

// Members of a window must be unique across processes: a random id per process and a counter
// (fresh random bytes on every attempt cost a good share of a cheap request).
const PROCESS_NONCE = randomBytes(9).toString("base64url");
let attemptCounter = 0;
const attemptNonce = () => `${PROCESS_NONCE}${(attemptCounter++).toString(36)}`;

/** At most this many walks go in one script call, so a burst never holds Redis for long. */
const MAX_WALKS_PER_CALL = 64;

interface WalkReply {
  refusedIndex: number;
  remaining: number;
  waitMicroseconds: number;
}

/** One caller's rules, already in the script's terms. */
interface Walk {
  keys: string[];
  /** The script's arguments for this walk: count flag, nonce, number of keys, then limit and windows per key. */
  args: string[];
  resolve(reply: WalkReply): void;
  reject(error: unknown): void;
}

/**
 * A sliding-window limiter whose counts live in Redis, shared by every server process. The walks
 * asked for during one turn of the event loop (every request that arrived together) go to Redis
 * in one script call: one command instead of one per request, for the client and for Redis.
 */
export function createRedisRateLimiter(redis: Redis, prefix: string): RateLimiter {
  let queued: Walk[] = [];

  // Never throws: whatever fails is every walk's answer in this call.
  const send = async (walks: Walk[]) => {
    let replies: WalkReply[];
    try {
      const keys = walks.flatMap((walk) => walk.keys);
      const args = [String(walks.length), ...walks.flatMap((walk) => walk.args)];
      replies = toReplies(await evalSlidingWindow(redis, keys, args), walks);
    } catch (error) {
      for (const walk of walks) walk.reject(error);
      return;
    }
    for (const [index, walk] of walks.entries()) {
      const reply = replies[index] as WalkReply;
      if (reply.refusedIndex === -1)
        walk.reject(new Error("Redis failed this rate limit walk (a key of another type?)"));
      else walk.resolve(reply);
    }
  };
  // setImmediate, not a microtask: requests read from different sockets in the same turn are
  // handled one after another, and each reaches its rate limit before the next is read.
  const flush = () => {
    const walks = queued;
    queued = [];
    for (let start = 0; start < walks.length; start += MAX_WALKS_PER_CALL) {
      void send(walks.slice(start, start + MAX_WALKS_PER_CALL));
    }
  };
  // Rules are checked and keys hashed here, so a bad walk fails its own caller only.
  const run = async (checks: readonly RateLimitCheck[], count: boolean) => {
    const keys: string[] = [];
    const args = [count ? "1" : "0", attemptNonce(), String(checks.length)];
    for (const { rule, key } of checks) {
      assertValidRule(rule);
      keys.push(rateLimitRedisKey(prefix, rule, key));
      args.push(String(rule.limit), String(rule.windowSeconds * 1_000_000), String(rule.windowSeconds * 1000));
    }
    return new Promise<WalkReply>((resolve, reject) => {
      if (queued.length === 0) setImmediate(flush);
      queued.push({ keys, args, resolve, reject });
    });
  };
  const single = async (rule: RateLimitRule, key: string, count: boolean) => {
    const { refusedIndex, remaining, waitMicroseconds } = await run([{ rule, key }], count);
    return refusedIndex === 0 ? allowedResult(remaining) : deniedResult(waitMicroseconds / 1000);
  };

  return {
    consume: (rule, key) => single(rule, key, true),
    consumeEach: async (checks) => {
      if (checks.length === 0) return undefined;
      const { refusedIndex, waitMicroseconds } = await run(checks, true);
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

/** Three numbers per walk, each in range; anything else means the script and this code disagree. */
function toReplies(reply: unknown, walks: readonly Walk[]): WalkReply[] {
  const replies: WalkReply[] = [];
  if (Array.isArray(reply) && reply.length === walks.length * 3) {
    for (const [index, walk] of walks.entries()) {
      const [refusedIndex, remaining, waitMicroseconds] = reply.slice(index * 3, index * 3 + 3) as unknown[];
      if (typeof refusedIndex !== "number" || refusedIndex < -1 || refusedIndex > walk.keys.length) break;
      if (typeof remaining !== "number" || typeof waitMicroseconds !== "number") break;
      replies.push({ refusedIndex, remaining, waitMicroseconds });
    }
  }
  if (replies.length !== walks.length) {
    throw new Error(`Unexpected reply from the rate limit script: ${JSON.stringify(reply)}`);
  }
  return replies;
}
