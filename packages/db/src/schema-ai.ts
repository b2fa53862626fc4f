import type { ColumnType, Generated, Selectable, Updateable } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
/** Integer micro-dollars (1e-6 USD); int8 is parsed to a number by the client. */
type MicroUsd = ColumnType<number, number | undefined, number>;

export type AiProviderKind = "local" | "openai" | "compatible";
export type AiPriority = "high" | "normal" | "low";
/** What a ledger row paid for; "test" is ai.testProvider's one tiny call. */
export type AiFeatureName = "triage" | "summary" | "draft" | "test";

export interface AiSettingsTable {
  user_id: string;
  provider: AiProviderKind | null;
  base_url: string | null;
  model_triage: string | null;
  model_summary: string | null;
  model_draft: string | null;
  api_key_sealed: string | null;
  monthly_budget_micro_usd: number | null;
  feature_triage: boolean | null;
  feature_summaries: boolean | null;
  feature_drafts: boolean | null;
  excluded_account_ids: ColumnType<string[], string[] | undefined, string[]>;
  excluded_senders: ColumnType<string[], string[] | undefined, string[]>;
  updated_at: Timestamp;
}

export interface AiAnalysesTable {
  message_id: string;
  user_id: string;
  account_id: string;
  status: "ready" | "failed";
  priority: AiPriority | null;
  category: string | null;
  needs_reply: boolean | null;
  summary: string | null;
  action_items: ColumnType<{ text: string; due: string | null }[], string | undefined, string>;
  reasons: ColumnType<string[], string | undefined, string>;
  provider: string;
  model: string;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AiThreadSummariesTable {
  thread_id: string;
  user_id: string;
  thread_version: string;
  summary: Json<unknown>;
  created_at: Timestamp;
}

export interface AiRequestsTable {
  id: Generated<number>;
  user_id: string;
  feature: AiFeatureName;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost_micro_usd: number;
  latency_ms: number;
  outcome: string;
  created_at: Timestamp;
}

export interface AiBudgetPeriodsTable {
  user_id: string;
  /** YYYY-MM-DD; compared as a string, never selected (pg would parse it to a local-time Date). */
  period_start: string;
  spent_micro_usd: MicroUsd;
  reserved_micro_usd: MicroUsd;
  warned_80_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  warned_100_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Reservations are multiplied by this once the provider reported more than a reservation (≥ 1). */
  usage_factor: ColumnType<number, number | undefined, number>;
  /** True once a call settled within its reservation; until then one call at a time (the probe). */
  bound_trusted: ColumnType<boolean, boolean | undefined, boolean>;
  probe_started_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface AiLocalModelsTable {
  user_id: string;
  state: Json<unknown>;
  samples: ColumnType<number, number | undefined, number>;
  updated_at: Timestamp;
}

export interface AiFeedbackTable {
  id: Generated<number>;
  user_id: string;
  message_id: string;
  source: string;
  priority: AiPriority | null;
  category: string | null;
  needs_reply: boolean | null;
  created_at: Timestamp;
}

/** The AI tables, merged into `Database`. */
export interface AiDatabase {
  ai_settings: AiSettingsTable;
  ai_analyses: AiAnalysesTable;
  ai_thread_summaries: AiThreadSummariesTable;
  ai_requests: AiRequestsTable;
  ai_budget_periods: AiBudgetPeriodsTable;
  ai_local_models: AiLocalModelsTable;
  ai_feedback: AiFeedbackTable;
}

export type AiSettingsRow = Selectable<AiSettingsTable>;
export type AiAnalysisRow = Selectable<AiAnalysesTable>;
export type AiRequestRow = Selectable<AiRequestsTable>;
export type AiSettingsPatch = Omit<Updateable<AiSettingsTable>, "user_id" | "updated_at">;
