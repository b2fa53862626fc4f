export interface BackoffPolicy {
  /** The first wait after a failure; default 5 s. */
  initialMs: number;
  /** No wait is longer than this; default 5 min. */
  maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 5_000, maxMs: 5 * 60_000 };

/**
 * The wait before reconnect attempt `attempt` (1 for the first retry): doubling from `initialMs`
 * up to `maxMs`, with "full jitter" over the upper half, so the accounts of a server that went
 * down do not all knock again in the same second when it comes back.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
