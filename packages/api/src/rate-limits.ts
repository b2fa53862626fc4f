import { normalizeEmail, type RateLimiter, type RateLimitRule, sessionIdForRefreshToken } from "@tidings/auth";
import type { Config } from "@tidings/config";
import type { Database, Kysely } from "@tidings/db";

export type RateLimitName = keyof Config["auth"]["rateLimits"];

export interface RateLimitCheck {
  rule: RateLimitName;
  key: string;
}

/** The rules of S9, with their numbers from configuration. */
export function rateLimitRule(config: Config, name: RateLimitName): RateLimitRule {
  return { name, ...config.auth.rateLimits[name] };
}

/**
 * Counts one attempt against each rule in turn (one round trip); the first rule that refuses ends
 * the walk and is returned with the wait. Every door to a flow (tRPC, /oauth/token) goes through here.
 */
export async function consumeRateLimits(
  rateLimiter: RateLimiter,
  config: Config,
  checks: readonly RateLimitCheck[],
): Promise<{ rule: RateLimitName; retryAfterSeconds: number } | undefined> {
  const refused = await rateLimiter.consumeEach(
    checks.map((check) => ({ rule: rateLimitRule(config, check.rule), key: check.key })),
  );
  const rule = refused && checks[refused.index]?.rule;
  return rule ? { rule, retryAfterSeconds: refused.result.retryAfterSeconds } : undefined;
}

/** A password sign-in's budget: per client address, and per (address, account). */
export const signInLimits = (ip: string, email: string): RateLimitCheck[] => [
  { rule: "loginIp", key: ip },
  { rule: "login", key: `${ip}|${normalizeEmail(email)}` },
];

/** A refresh's budget: per session, or per address for a token that names none. */
export async function refreshLimits(db: Kysely<Database>, refreshToken: string, ip: string): Promise<RateLimitCheck[]> {
  const sessionId = await sessionIdForRefreshToken(db, refreshToken);
  return [{ rule: "refresh", key: sessionId ?? `ip:${ip}` }];
}
