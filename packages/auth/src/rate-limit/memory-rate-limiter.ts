import { allowedResult, assertValidRule, deniedResult, type RateLimiter, type RateLimitRule } from "./rate-limiter.ts";

export interface MemoryRateLimiterOptions {
  /** Most (rule, key) pairs tracked at once; beyond it the least recently used are forgotten. */
  maxKeys?: number;
  /** How often, by the limiter's clock, expired pairs are swept out. */
  sweepIntervalMs?: number;
}

export interface MemoryRateLimiter extends RateLimiter {
  /** (rule, key) pairs currently held, to show the memory stays bounded. */
  trackedKeys(): number;
}

interface Bucket {
  windowMs: number;
  /** Times of admitted attempts, oldest first; never longer than the rule's limit. */
  attempts: number[];
}

/**
 * The embedded-mode limiter (a single process, no Redis), with the same semantics as the Redis one.
 * Everything runs synchronously inside each call, so parallel callers cannot race.
 */
export function createMemoryRateLimiter(
  now: () => number = Date.now,
  { maxKeys = 100_000, sweepIntervalMs = 60_000 }: MemoryRateLimiterOptions = {},
): MemoryRateLimiter {
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();

  // Lazy rather than a timer: nothing to stop on shutdown, and no work while the limiter is idle.
  const sweepIfDue = (at: number) => {
    if (at - lastSweep < sweepIntervalMs && buckets.size <= maxKeys) return;
    lastSweep = at;
    for (const [id, bucket] of buckets) {
      bucket.attempts = liveAttempts(bucket.attempts, at - bucket.windowMs);
      if (bucket.attempts.length === 0) buckets.delete(id);
    }
    // Map iteration follows insertion order and each use re-inserts its bucket, so this drops the least recently used.
    for (const id of buckets.keys()) {
      if (buckets.size <= maxKeys) break;
      buckets.delete(id);
    }
  };

  const check = (rule: RateLimitRule, key: string, count: boolean) => {
    assertValidRule(rule);
    const at = now();
    const windowMs = rule.windowSeconds * 1000;
    const id = bucketId(rule, key);
    const attempts = liveAttempts(buckets.get(id)?.attempts ?? [], at - windowMs);
    buckets.delete(id);

    const allowed = attempts.length < rule.limit;
    if (allowed && count) insertSorted(attempts, at);
    if (attempts.length > 0) buckets.set(id, { windowMs, attempts });
    sweepIfDue(at);

    if (allowed) return allowedResult(rule.limit - attempts.length);
    const blocking = attempts[attempts.length - rule.limit] ?? at;
    return deniedResult(blocking + windowMs - at);
  };

  return {
    consume: async (rule, key) => check(rule, key, true),
    consumeEach: async (checks) => {
      for (const [index, { rule, key }] of checks.entries()) {
        const result = check(rule, key, true);
        if (!result.allowed) return { index, result };
      }
      return undefined;
    },
    peek: async (rule, key) => check(rule, key, false),
    reset: async (rule, key) => {
      assertValidRule(rule);
      buckets.delete(bucketId(rule, key));
    },
    trackedKeys: () => buckets.size,
  };
}

// Rule names cannot contain NUL, so no (name, key) pair can be mistaken for another.
function bucketId(rule: RateLimitRule, key: string): string {
  return `${rule.name}\u0000${key}`;
}

/** An attempt counts while it is younger than the window, exactly as in the Redis script. */
function liveAttempts(attempts: number[], expiredAtOrBefore: number): number[] {
  const firstLive = attempts.findIndex((time) => time > expiredAtOrBefore);
  return firstLive === -1 ? [] : attempts.slice(firstLive);
}

// An injected clock may step backwards; keeping order keeps "oldest first" true for retry-after.
function insertSorted(attempts: number[], time: number): void {
  const index = attempts.findIndex((existing) => existing > time);
  if (index === -1) attempts.push(time);
  else attempts.splice(index, 0, time);
}
