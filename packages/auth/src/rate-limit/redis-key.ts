import { hash } from "node:crypto";
import type { RateLimitRule } from "./rate-limiter.ts";

/** Keys are hashed so that emails and IP addresses never appear in Redis (dumps, MONITOR, key scans). */
export function rateLimitRedisKey(prefix: string, rule: RateLimitRule, key: string): string {
  return `${prefix}:rl:${rule.name}:${digestOf(key)}`;
}

// Every authenticated request hashes its user's key, and the same few keys (a signed-in user, an
// address) recur from request to request: hashing each time was a visible share of a cheap query.
const MAX_REMEMBERED_DIGESTS = 10_000;
const digests = new Map<string, string>();

function digestOf(key: string): string {
  let digest = digests.get(key);
  if (digest === undefined) {
    digest = hash("sha256", key, "base64url");
    if (digests.size >= MAX_REMEMBERED_DIGESTS) digests.clear();
    digests.set(key, digest);
  }
  return digest;
}
