export interface RateLimitRule {
  /** Stable identifier of the rule; part of the storage key, so renaming a rule starts it afresh. */
  name: string;
  /** Attempts admitted within any window of `windowSeconds`. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Attempts still admitted in the current window after this call. */
  remaining: number;
  /** 0 when allowed; otherwise whole seconds (rounded up, at least 1) until one slot frees. */
  retryAfterSeconds: number;
}

export interface RateLimitCheck {
  rule: RateLimitRule;
  key: string;
}

/** The first check of a walk that refused, with its answer. */
export interface RateLimitRefusal {
  index: number;
  result: RateLimitResult;
}

export interface RateLimiter {
  /** Counts the attempt only when it is allowed, so rejected attempts do not extend a lockout. */
  consume(rule: RateLimitRule, key: string): Promise<RateLimitResult>;
  /**
   * Counts one attempt against each check in order, atomically and (with Redis) in one round trip,
   * stopping at the first that refuses: the checks before it stay counted, those after are not
   * looked at. Resolves with that refusal, or undefined when every check allowed the attempt.
   */
  consumeEach(checks: readonly RateLimitCheck[]): Promise<RateLimitRefusal | undefined>;
  /** Reports what `consume` would answer, without counting anything. */
  peek(rule: RateLimitRule, key: string): Promise<RateLimitResult>;
  /** Forgets every attempt counted for this rule and key. */
  reset(rule: RateLimitRule, key: string): Promise<void>;
}

const RULE_NAME = /^[A-Za-z0-9._:-]+$/;

/** Rules are code constants, so a malformed one is a programming error worth failing loudly on. */
export function assertValidRule(rule: RateLimitRule): void {
  if (!RULE_NAME.test(rule.name)) {
    throw new Error(`Rate limit rule name must match ${RULE_NAME}: ${JSON.stringify(rule.name)}`);
  }
  if (!Number.isSafeInteger(rule.limit) || rule.limit < 1) {
    throw new Error(`Rate limit rule ${rule.name}: limit must be a positive integer, got ${rule.limit}`);
  }
  if (!Number.isSafeInteger(rule.windowSeconds) || rule.windowSeconds < 1) {
    throw new Error(
      `Rate limit rule ${rule.name}: windowSeconds must be a positive integer, got ${rule.windowSeconds}`,
    );
  }
}

export function allowedResult(remaining: number): RateLimitResult {
  return { allowed: true, remaining, retryAfterSeconds: 0 };
}

export function deniedResult(waitMilliseconds: number): RateLimitResult {
  // Rounded up and never 0: a client told "retry after 0" would retry at once and be denied again.
  return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(waitMilliseconds / 1000)) };
}
