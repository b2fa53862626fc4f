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

export interface BudgetMeterOptions {
  db: Executor;
  userId: string;
  /** The user's monthly budget (their own limit if lower than the deployment's). */
  monthlyBudgetUsd: number;
  now?: () => Date;
  /** Called once per period and level, by whichever process crosses it first (for the ai-budget email). */
  onBudgetWarning?: (warning: { level: 80 | 100; periodStart: string }) => Promise<void> | void;
}

/**
 * The Postgres-backed meter: each call reserves its maximum cost in the user's monthly budget
 * before it is made, and the reservation is replaced by the real cost and a ledger row after it.
 */
export function createBudgetMeter(options: BudgetMeterOptions): Meter {
  const now = options.now ?? (() => new Date());
  const budgetMicroUsd = microUsd(options.monthlyBudgetUsd);

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
      const reservedMicroUsd = Math.ceil(microUsd(call.maxCostUsd));
      const reserved = await reserveAiBudget(options.db, {
        userId: options.userId,
        periodStart,
        amountMicroUsd: reservedMicroUsd,
        budgetMicroUsd,
      });
      if (!reserved) {
        await warnOnce(100, periodStart);
        throw new AiBudgetExceededError(budgetPeriodEnd(at));
      }
      return {
        async settle(result) {
          const { spentAfterMicroUsd } = await settleAiReservation(options.db, {
            periodStart,
            reservedMicroUsd,
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
