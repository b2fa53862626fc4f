import { hash } from "node:crypto";
import type { RateLimitRule } from "./rate-limiter.ts";

/** Keys are hashed so that emails and IP addresses never appear in Redis (dumps, MONITOR, key scans). */
export function rateLimitRedisKey(prefix: string, rule: RateLimitRule, key: string): string {
  return `${prefix}:rl:${rule.name}:${hash("sha256", key, "base64url")}`;
}
