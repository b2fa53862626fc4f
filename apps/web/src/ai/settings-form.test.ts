import { describe, expect, it } from "vitest";
import { aiSettingsResolver, formValuesOf, updateInputOf } from "./settings-form.ts";
import { daysOfMonthSoFar } from "./usage-series.ts";

const saved = formValuesOf({
  provider: "local",
  baseUrl: null,
  models: { triage: "gpt-4o-mini", summary: "gpt-4o-mini", draft: "gpt-4o" },
  hasApiKey: true,
  monthlyBudgetUsd: 5,
  features: { triage: true, summaries: true, drafts: false },
  excludedAccountIds: [],
  excludedSenders: ["bank.example"],
});

const resolve = (values: typeof saved) =>
  aiSettingsResolver(values, undefined, { fields: {}, shouldUseNativeValidation: false });

describe("the AI settings form", () => {
  it("sends the key only when it is replaced or removed, and the base URL only for a compatible server", () => {
    expect(updateInputOf(saved)).not.toHaveProperty("apiKey");
    expect(updateInputOf(saved)).not.toHaveProperty("baseUrl");
    expect(updateInputOf({ ...saved, keyAction: "clear" })).toMatchObject({ apiKey: null });
    expect(
      updateInputOf({
        ...saved,
        provider: "compatible",
        baseUrl: " http://127.0.0.1:11434/v1 ",
        keyAction: "replace",
        apiKey: "k",
      }),
    ).toMatchObject({ baseUrl: "http://127.0.0.1:11434/v1", apiKey: "k" });
  });

  it("checks with the API's schema and names the field, quoting a bad sender line", async () => {
    const result = await resolve({
      ...saved,
      provider: "compatible",
      baseUrl: "ftp://nope",
      monthlyBudgetUsd: "lots",
      excludedSenders: "ok.example\nnot a sender",
      keyAction: "replace",
      apiKey: "",
    });
    expect(Object.keys(result.errors).sort()).toEqual(["apiKey", "baseUrl", "excludedSenders", "monthlyBudgetUsd"]);
    expect(result.errors.excludedSenders?.message).toContain("“not a sender”");
    expect(result.errors.monthlyBudgetUsd?.message).toBe("Enter an amount in US dollars, e.g. 2.50");
    const ok = await resolve({ ...saved, monthlyBudgetUsd: "2.5" });
    expect(ok.errors).toEqual({});
    expect(ok.values).toMatchObject({ monthlyBudgetUsd: 2.5, excludedSenders: ["bank.example"] });
  });
});

describe("the spend-per-day series", () => {
  it("fills the month's days so far with zeros where there were no calls", () => {
    const days = daysOfMonthSoFar([{ day: "2026-12-02", costUsd: 0.5, requests: 3 }], new Date("2026-12-03T10:00:00Z"));
    expect(days).toEqual([
      { day: "2026-12-01", costUsd: 0, requests: 0 },
      { day: "2026-12-02", costUsd: 0.5, requests: 3 },
      { day: "2026-12-03", costUsd: 0, requests: 0 },
    ]);
  });
});
