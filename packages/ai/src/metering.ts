import type { ProviderKind } from "./schemas.ts";

export type AiFeature = "triage" | "summary" | "draft";
/** What a ledger row paid for: a feature, or the one tiny call of "Test the provider". */
export type LedgerFeature = AiFeature | "test";
export type CallOutcome = "ok" | "invalid_output" | "provider_error" | "timeout";

export interface CallStart {
  feature: LedgerFeature;
  provider: ProviderKind;
  model: string;
  /** The most this call can cost (full prompt plus the output limit); reserved before it is made (S32). */
  maxCostUsd: number;
}

export interface CallResult {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  outcome: CallOutcome;
}

export interface Reservation {
  /** Replaces the reservation with what the call really cost and records it in the ledger. */
  settle(result: CallResult): Promise<void>;
}

/**
 * Per-user budget and ledger hook. `reserve` throws AiBudgetExceededError when the reservation does
 * not fit; reservations are atomic, so concurrent calls cannot overrun the budget by more than one
 * call's maximum cost.
 */
export interface Meter {
  reserve(call: CallStart): Promise<Reservation>;
}

/** For callers that meter nothing (the local provider, tests of prompts). */
export const unmetered: Meter = {
  reserve: async () => ({ settle: async () => {} }),
};
