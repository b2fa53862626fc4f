import {
  budgetPeriodEnd,
  budgetPeriodStart,
  claimAiBudgetWarning,
  type Executor,
  reserveAiBudget,
  settleAiReservation,
} from "@tidings/db";
import { AiBudgetExceededError } from "./errors.ts";
import type { Meter } from "./metering.ts";

const microUsd = (usd: number) => usd * 1_000_000;
const probeRetryMs = 20;

export interface BudgetMeterOptions {
  db: Executor;
  userId: string;
  /** The user's monthly budget (their own limit if lower than the deployment's). */
  monthlyBudgetUsd: number;
  now?: () => Date;
  /**
   * How long a call that probes an untrusted period may take before another may go (a process that
   * died mid-call never settles); longer than a call with all its retries. Default 2 minutes.
   */
  probeLeaseMs?: number;
  /** Called once per period and level, by whichever process crosses it first (for the ai-budget email). */
  onBudgetWarning?: (warning: { level: 80 | 100; periodStart: string }) => Promise<void> | void;
}

/**
 * The Postgres-backed meter: each call reserves its maximum cost in the user's monthly budget
 * before it is made, and the reservation is replaced by the real cost and a ledger row after it.
 * A provider that reports more than the maximum is recorded as it reports, and later reservations
 * grow by the ratio seen; until a call of the month has settled within its reservation, calls go
 * one at a time, so such a provider overruns the budget by at most one call (S32).
 */
export function createBudgetMeter(options: BudgetMeterOptions): Meter {
  const now = options.now ?? (() => new Date());
  const budgetMicroUsd = microUsd(options.monthlyBudgetUsd);

  const request = (periodStart: string, amountMicroUsd: number) => ({
    userId: options.userId,
    periodStart,
    amountMicroUsd,
    budgetMicroUsd,
    probeLeaseMs: options.probeLeaseMs,
  });

  async function warnOnce(level: 80 | 100, periodStart: string) {
    if (!options.onBudgetWarning) return;
    if (await claimAiBudgetWarning(options.db, options.userId, periodStart, level)) {
      await options.onBudgetWarning({ level, periodStart });
    }
  }

  return {
    async reserve(call) {
      const at = now();
      const periodStart = budgetPeriodStart(at);
      const baseMicroUsd = Math.ceil(microUsd(call.maxCostUsd));
      let reservation = await reserveAiBudget(options.db, request(periodStart, baseMicroUsd));
      // Busy: this period's bound is not trusted yet and its one probe call is in flight; it
      // settles within about a provider call.
      for (let wait = probeRetryMs; reservation.status === "busy"; wait = Math.min(wait * 2, 250)) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        reservation = await reserveAiBudget(options.db, request(periodStart, baseMicroUsd));
      }
      if (reservation.status === "over-budget") {
        await warnOnce(100, periodStart);
        throw new AiBudgetExceededError(budgetPeriodEnd(at));
      }
      const { reservedMicroUsd } = reservation;
      return {
        async settle(result) {
          const { spentAfterMicroUsd } = await settleAiReservation(options.db, {
            periodStart,
            reservedMicroUsd,
            baseMicroUsd,
            entry: {
              userId: options.userId,
              feature: call.feature,
              provider: call.provider,
              model: call.model,
              inputTokens: result.inputTokens,
              outputTokens: result.outputTokens,
              costMicroUsd: microUsd(result.costUsd),
              latencyMs: result.latencyMs,
              outcome: result.outcome,
            },
          });
          if (spentAfterMicroUsd >= budgetMicroUsd) await warnOnce(100, periodStart);
          else if (spentAfterMicroUsd >= 0.8 * budgetMicroUsd) await warnOnce(80, periodStart);
        },
      };
    },
  };
}
