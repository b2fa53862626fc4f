import type { AiConfig } from "@tidings/config";
import type { AiSettingsRow } from "@tidings/db";
import type { ModelTiers } from "./openai-provider.ts";
import type { ProviderKind } from "./schemas.ts";

export interface EffectiveAiSettings {
  provider: ProviderKind;
  baseUrl: string | null;
  models: ModelTiers;
  /**
   * Whose key a call uses: the user's own (sealed in ai_settings), the deployment's, or none. The
   * deployment's key only ever goes to the deployment's own provider and base URL, never to a
   * server the user named.
   */
  apiKeySource: "user" | "deployment" | "none";
  monthlyBudgetUsd: number;
  features: { triage: boolean; summaries: boolean; drafts: boolean };
  excludedAccountIds: string[];
  excludedSenders: string[];
}

/** A user's settings row with nothing chosen yet: every override null, so the deployment's defaults apply. */
export function unsetAiSettingsRow(userId: string): AiSettingsRow {
  return {
    user_id: userId,
    provider: null,
    base_url: null,
    model_triage: null,
    model_summary: null,
    model_draft: null,
    api_key_sealed: null,
    monthly_budget_micro_usd: null,
    feature_triage: null,
    feature_summaries: null,
    feature_drafts: null,
    excluded_account_ids: [],
    excluded_senders: [],
    updated_at: new Date(0),
  };
}

/** The deployment's defaults with the user's overrides applied (ai.settings.get's view). */
export function effectiveAiSettings(deployment: AiConfig, row: AiSettingsRow | undefined): EffectiveAiSettings {
  const provider = row?.provider ?? deployment.provider;
  const baseUrl = provider === "compatible" ? (row?.base_url ?? deployment.baseUrl ?? null) : null;
  const sameEndpointAsDeployment =
    provider === deployment.provider && (provider !== "compatible" || baseUrl === (deployment.baseUrl ?? null));
  const apiKeySource =
    provider === "local"
      ? "none"
      : row?.api_key_sealed
        ? "user"
        : deployment.openaiApiKey && sameEndpointAsDeployment
          ? "deployment"
          : "none";
  const userBudgetUsd = row?.monthly_budget_micro_usd == null ? null : row.monthly_budget_micro_usd / 1_000_000;
  return {
    provider,
    baseUrl,
    models: {
      triage: row?.model_triage ?? deployment.models.triage,
      summary: row?.model_summary ?? deployment.models.summary,
      draft: row?.model_draft ?? deployment.models.draft,
    },
    apiKeySource,
    // A user may lower the deployment's budget, never raise it.
    monthlyBudgetUsd: Math.min(userBudgetUsd ?? deployment.monthlyBudgetUsd, deployment.monthlyBudgetUsd),
    features: {
      triage: row?.feature_triage ?? true,
      summaries: row?.feature_summaries ?? true,
      drafts: row?.feature_drafts ?? true,
    },
    excludedAccountIds: row?.excluded_account_ids ?? [],
    excludedSenders: row?.excluded_senders ?? [],
  };
}
