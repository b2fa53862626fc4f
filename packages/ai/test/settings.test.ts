import { loadConfig } from "@tidings/config";
import type { AiSettingsRow } from "@tidings/db";
import { describe, expect, it } from "vitest";
import { effectiveAiSettings, unsetAiSettingsRow } from "../src/index.ts";

// A row that overrides only what a test names; the rest left unset, as for a user who changed nothing.
const row = (overrides: Partial<AiSettingsRow>): AiSettingsRow => ({ ...unsetAiSettingsRow("u"), ...overrides });

describe("effective AI settings", () => {
  const withKey = loadConfig({
    OPENAI_API_KEY: "sk-deployment",
    AI_MODEL: "gpt-5-mini",
    AI_MONTHLY_BUDGET_USD: "10",
  }).ai;

  it("are the deployment's defaults for a user who changed nothing", () => {
    expect(effectiveAiSettings(withKey, undefined)).toEqual({
      provider: "openai",
      baseUrl: null,
      models: { triage: "gpt-5-mini", summary: "gpt-5-mini", draft: "gpt-5-mini" },
      apiKeySource: "deployment",
      monthlyBudgetUsd: 10,
      features: { triage: true, summaries: true, drafts: true },
      excludedAccountIds: [],
      excludedSenders: [],
    });
    expect(effectiveAiSettings(loadConfig({}).ai, undefined)).toMatchObject({
      provider: "local",
      apiKeySource: "none",
    });
  });

  it("never send the deployment's key to a server the user named", () => {
    const ownServer = effectiveAiSettings(
      withKey,
      row({ provider: "compatible", base_url: "https://llm.user.example/v1" }),
    );
    expect(ownServer).toMatchObject({
      provider: "compatible",
      baseUrl: "https://llm.user.example/v1",
      apiKeySource: "none",
    });
    const ownKey = effectiveAiSettings(
      withKey,
      row({ provider: "compatible", base_url: "https://x/v1", api_key_sealed: "sealed" }),
    );
    expect(ownKey.apiKeySource).toBe("user");
    expect(effectiveAiSettings(withKey, row({ provider: "local", api_key_sealed: "sealed" })).apiKeySource).toBe(
      "none",
    );
  });

  it("let a user lower the budget but not raise it, and override models and features", () => {
    expect(effectiveAiSettings(withKey, row({ monthly_budget_micro_usd: 2_500_000 })).monthlyBudgetUsd).toBe(2.5);
    expect(effectiveAiSettings(withKey, row({ monthly_budget_micro_usd: 50_000_000 })).monthlyBudgetUsd).toBe(10);
    const custom = effectiveAiSettings(
      withKey,
      row({ model_draft: "gpt-5", feature_drafts: false, excluded_senders: ["@bank.example"] }),
    );
    expect(custom.models).toEqual({ triage: "gpt-5-mini", summary: "gpt-5-mini", draft: "gpt-5" });
    expect(custom.features).toEqual({ triage: true, summaries: true, drafts: false });
    expect(custom.excludedSenders).toEqual(["@bank.example"]);
  });
});
