import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { AiFeatureName } from "../schema-ai.ts";

/** First day (UTC) of the month holding `at`, as YYYY-MM-DD: the budget period's key. */
export function budgetPeriodStart(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, "0")}-01`;
}

/** When the period holding `at` ends and the budget is available again. */
export function budgetPeriodEnd(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

export type AiReservation =
  /** Reserved: `reservedMicroUsd` is the amount times the period's usage factor, to be settled. */
  | { status: "reserved"; reservedMicroUsd: number }
  /** Would take spending past the budget. */
  | { status: "over-budget" }
  /** The period's bound is not trusted yet and another call (the probe) is in flight: ask again soon. */
  | { status: "busy" };

/**
 * Reserves `amountMicroUsd` (times the period's usage factor) of the user's budget for the period
 * if spent + reserved + that stays within `budgetMicroUsd`. One statement on one row, so concurrent
 * reservations are serialised by Postgres and cannot together exceed the budget (S32). Until a
 * call of the period has settled within its reservation (`bound_trusted`), one call at a time
 * holds the probe; a probe older than `probeLeaseMs` (a crashed process) no longer counts.
 */
export async function reserveAiBudget(
  db: Executor,
  request: {
    userId: string;
    periodStart: string;
    amountMicroUsd: number;
    budgetMicroUsd: number;
    probeLeaseMs?: number;
  },
): Promise<AiReservation> {
  const amount = Math.ceil(request.amountMicroUsd);
  const budget = Math.floor(request.budgetMicroUsd);
  const leaseMs = Math.max(0, Math.round(request.probeLeaseMs ?? 120_000));
  const scaled = sql`ceil(${amount}::bigint * ai_budget_periods.usage_factor)::bigint`;
  const result = await sql<{ reserved: string }>`
    insert into ai_budget_periods (user_id, period_start, reserved_micro_usd, probe_started_at)
    select ${request.userId}::uuid, ${request.periodStart}::date, ${amount}::bigint, now()
    where ${amount}::bigint <= ${budget}::bigint
    on conflict (user_id, period_start) do update
      set reserved_micro_usd = ai_budget_periods.reserved_micro_usd + ${scaled},
        probe_started_at = case when ai_budget_periods.bound_trusted then ai_budget_periods.probe_started_at else now() end
      where ai_budget_periods.spent_micro_usd + ai_budget_periods.reserved_micro_usd + ${scaled} <= ${budget}::bigint
        and (ai_budget_periods.bound_trusted or ai_budget_periods.probe_started_at is null
          or ai_budget_periods.probe_started_at < now() - make_interval(secs => ${leaseMs / 1000}))
    returning ${scaled} as reserved`.execute(db);
  const reserved = result.rows[0];
  if (reserved) return { status: "reserved", reservedMicroUsd: Number(reserved.reserved) };
  // Refused: by the budget, or only by the probe in flight (which may settle for less).
  const row = await db
    .selectFrom("ai_budget_periods")
    .select(["spent_micro_usd", "reserved_micro_usd", "usage_factor"])
    .where("user_id", "=", request.userId)
    .where("period_start", "=", request.periodStart)
    .executeTakeFirst();
  const needed = Math.ceil(amount * (row?.usage_factor ?? 1));
  const fits = (row ? Number(row.spent_micro_usd) + Number(row.reserved_micro_usd) : 0) + needed <= budget;
  return fits ? { status: "busy" } : { status: "over-budget" };
}

export interface AiRequestEntry {
  userId: string;
  feature: AiFeatureName;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costMicroUsd: number;
  latencyMs: number;
  outcome: string;
}

/**
 * Replaces a reservation with what the call cost and writes the ledger row, in one transaction.
 * The cost is recorded as it is, even above the reservation (never under-recorded); a cost above
 * it raises the period's usage factor to cost / `baseMicroUsd` (the unscaled estimate) and makes
 * the bound untrusted again, a cost within it makes it trusted. Returns the period's spending
 * before and after, for the 80% and 100% warnings.
 */
export async function settleAiReservation(
  db: Executor,
  settlement: {
    periodStart: string;
    reservedMicroUsd: number;
    /** The reservation before the usage factor (the caller's estimate); default: reservedMicroUsd. */
    baseMicroUsd?: number;
    entry: AiRequestEntry;
  },
): Promise<{ spentBeforeMicroUsd: number; spentAfterMicroUsd: number }> {
  const { entry } = settlement;
  const cost = Math.round(entry.costMicroUsd);
  const reserved = Math.ceil(settlement.reservedMicroUsd);
  const base = Math.max(1, Math.ceil(settlement.baseMicroUsd ?? settlement.reservedMicroUsd));
  // One statement (the ledger row in a CTE): atomic without a transaction's extra round trips, and
  // the period's row is locked only while it runs.
  const { rows } = await sql<{ spent: string }>`
    with entry as (
      insert into ai_requests (user_id, feature, provider, model, input_tokens, output_tokens, cost_micro_usd, latency_ms, outcome)
      values (${entry.userId}::uuid, ${entry.feature}, ${entry.provider}, ${entry.model}, ${entry.inputTokens}::int,
        ${entry.outputTokens}::int, ${cost}::bigint, ${entry.latencyMs}::int, ${entry.outcome})
    )
    update ai_budget_periods
      set reserved_micro_usd = greatest(reserved_micro_usd - ${reserved}::bigint, 0),
        spent_micro_usd = spent_micro_usd + ${cost}::bigint,
        usage_factor = case when ${cost > reserved}::boolean then greatest(usage_factor, ${cost / base}::double precision)
          else usage_factor end,
        bound_trusted = case when ${cost > reserved}::boolean then false when ${cost > 0}::boolean then true else bound_trusted end,
        -- Whichever call settles, no probe is in flight any more: the bound is trusted now, or the
        -- next call probes it again.
        probe_started_at = null
      where user_id = ${entry.userId}::uuid and period_start = ${settlement.periodStart}::date
      returning spent_micro_usd as spent`.execute(db);
  const after = rows[0] ? Number(rows[0].spent) : cost;
  return { spentBeforeMicroUsd: after - cost, spentAfterMicroUsd: after };
}

export async function aiBudgetPeriod(
  db: Executor,
  userId: string,
  periodStart: string,
): Promise<{ spentMicroUsd: number; reservedMicroUsd: number; exhaustedAt: Date | null }> {
  const row = await db
    .selectFrom("ai_budget_periods")
    .select(["spent_micro_usd", "reserved_micro_usd", "warned_100_at"])
    .where("user_id", "=", userId)
    .where("period_start", "=", periodStart)
    .executeTakeFirst();
  return {
    spentMicroUsd: row?.spent_micro_usd ?? 0,
    reservedMicroUsd: row?.reserved_micro_usd ?? 0,
    // Set when spending reached the budget or a reservation was first refused (the 100% email).
    exhaustedAt: row?.warned_100_at ?? null,
  };
}

/** True for the first caller only: whoever sends the 80% or 100% email for the period. */
export async function claimAiBudgetWarning(
  db: Executor,
  userId: string,
  periodStart: string,
  level: 80 | 100,
): Promise<boolean> {
  const column = level === 80 ? "warned_80_at" : "warned_100_at";
  const row = await db
    .updateTable("ai_budget_periods")
    .set({ [column]: new Date() })
    .where("user_id", "=", userId)
    .where("period_start", "=", periodStart)
    .where(column, "is", null)
    .returning("user_id")
    .executeTakeFirst();
  return row !== undefined;
}

export interface AiUsageTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costMicroUsd: number;
}

export interface AiUsageSummary extends AiUsageTotals {
  byFeature: (AiUsageTotals & { feature: string })[];
  byModel: (AiUsageTotals & { model: string })[];
  /** Days (UTC, YYYY-MM-DD) with at least one request, oldest first. */
  byDay: { day: string; requests: number; costMicroUsd: number }[];
}

/** The ledger's totals for a user in [from, to). */
export async function aiUsageSummary(db: Executor, userId: string, from: Date, to: Date): Promise<AiUsageSummary> {
  const base = db
    .selectFrom("ai_requests")
    .where("user_id", "=", userId)
    .where("created_at", ">=", from)
    .where("created_at", "<", to);
  const totals = [
    sql<number>`count(*)`.as("requests"),
    sql<number>`coalesce(sum(input_tokens), 0)::bigint`.as("inputTokens"),
    sql<number>`coalesce(sum(output_tokens), 0)::bigint`.as("outputTokens"),
    sql<number>`coalesce(sum(cost_micro_usd), 0)::bigint`.as("costMicroUsd"),
  ] as const;
  // Days are UTC, like the budget's months.
  const day = sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`;
  const [all, byFeature, byModel, byDay] = await Promise.all([
    base.select(totals).executeTakeFirstOrThrow(),
    base
      .select(["feature", ...totals])
      .groupBy("feature")
      .orderBy("feature")
      .execute(),
    base
      .select(["model", ...totals])
      .groupBy("model")
      .orderBy("model")
      .execute(),
    base
      .select([
        day.as("day"),
        sql<number>`count(*)`.as("requests"),
        sql<number>`coalesce(sum(cost_micro_usd), 0)::bigint`.as("costMicroUsd"),
      ])
      .groupBy(day)
      .orderBy(day)
      .execute(),
  ]);
  return { ...all, byFeature, byModel, byDay };
}
