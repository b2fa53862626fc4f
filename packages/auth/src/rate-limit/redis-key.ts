import { createHash } from "node:crypto";
import type { RateLimitRule } from "./rate-limiter.ts";

/** Keys are hashed so that emails and IP addresses never appear in Redis (dumps, MONITOR, key scans). */
export function rateLimitRedisKey(prefix: string, rule: RateLimitRule, key: string): string {
  const digest = createHash("sha256").update(key, "utf8").digest("base64url");
  return `${prefix}:rl:${rule.name}:${digest}`;
}
