import type { RateLimitRule } from "@tidings/auth";
import type { Config } from "@tidings/config";

export type RateLimitName = keyof Config["auth"]["rateLimits"];

/** The rules of S9, with their numbers from configuration. */
export function rateLimitRule(config: Config, name: RateLimitName): RateLimitRule {
  return { name, ...config.auth.rateLimits[name] };
}
