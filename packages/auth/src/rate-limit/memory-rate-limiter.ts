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
  /** Times of admitted attempts, oldest first, from `head` on; never more than the rule's limit of them. */
  times: number[];
  /** Attempts before it have expired: dropped by moving it, so a check costs no copy of the window. */
  head: number;
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
      if (liveCount(bucket, at - bucket.windowMs) === 0) buckets.delete(id);
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
    const bucket = buckets.get(id) ?? { windowMs, times: [], head: 0 };
    buckets.delete(id);
    bucket.windowMs = windowMs;

    const allowed = liveCount(bucket, at - windowMs) < rule.limit;
    if (allowed && count) insertSorted(bucket.times, bucket.head, at);
    const live = bucket.times.length - bucket.head;
    if (live > 0) buckets.set(id, bucket);
    sweepIfDue(at);

    if (allowed) return allowedResult(rule.limit - live);
    const blocking = bucket.times[bucket.times.length - rule.limit] ?? at;
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

/**
 * Drops the attempts no longer younger than the window (exactly as in the Redis script) and answers
 * how many are left. Each attempt is passed over once; the array is compacted only once most of
 * it is dead, so a large limit costs no more per check than a small one.
 */
function liveCount(bucket: Bucket, expiredAtOrBefore: number): number {
  const { times } = bucket;
  let head = bucket.head;
  while (head < times.length && (times[head] as number) <= expiredAtOrBefore) head++;
  if (head > 32 && head * 2 > times.length) {
    times.splice(0, head);
    head = 0;
  }
  bucket.head = head;
  return times.length - head;
}

// An injected clock may step backwards; keeping order keeps "oldest first" true for retry-after.
// Time seldom goes back, so the place is looked for from the newest end.
function insertSorted(times: number[], head: number, time: number): void {
  let index = times.length;
  while (index > head && (times[index - 1] as number) > time) index--;
  if (index === times.length) times.push(time);
  else times.splice(index, 0, time);
}
