import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { loadConfig, Secret } from "../src/index.ts";
import { problemsOf } from "./problems.ts";

describe("AI configuration", () => {
  it("defaults to the local provider, a $5 monthly budget and one model for every task", () => {
    expect(loadConfig({}).ai).toEqual({
      provider: "local",
      openaiApiKey: undefined,
      baseUrl: undefined,
      models: { triage: "gpt-4o-mini", summary: "gpt-4o-mini", draft: "gpt-4o-mini" },
      monthlyBudgetUsd: 5,
      prices: {},
      timeoutMs: 30_000,
      maxRetries: 3,
    });
  });

  it("uses OpenAI when a key is set, with per-task models and extra prices", () => {
    const { ai } = loadConfig({
      OPENAI_API_KEY: "sk-live-1234567890",
      AI_MODEL: "gpt-5-mini",
      AI_MODEL_DRAFT: "gpt-5",
      AI_PRICES: '{"my-model":{"input":0.2,"output":0.8}}',
      AI_MONTHLY_BUDGET_USD: "2.50",
    });
    expect(ai.provider).toBe("openai");
    expect(ai.openaiApiKey?.reveal()).toBe("sk-live-1234567890");
    expect(ai.models).toEqual({ triage: "gpt-5-mini", summary: "gpt-5-mini", draft: "gpt-5" });
    expect(ai.prices).toEqual({ "my-model": { inputPerMillion: 0.2, outputPerMillion: 0.8 } });
    expect(ai.monthlyBudgetUsd).toBe(2.5);
  });

  it("never prints the API key: not in JSON, inspect, String or a configuration error", () => {
    const config = loadConfig({ OPENAI_API_KEY: "sk-live-secret-value" });
    expect(JSON.stringify(config)).not.toContain("sk-live-secret-value");
    expect(inspect(config, { depth: 10 })).not.toContain("sk-live-secret-value");
    expect(`${config.ai.openaiApiKey}`).toBe("[redacted]");
    expect(config.ai.openaiApiKey).toBeInstanceOf(Secret);

    const tooLong = `sk-${"x".repeat(600)}`;
    const problems = problemsOf({ OPENAI_API_KEY: tooLong });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^OPENAI_API_KEY: /);
    expect(problems.join("\n")).not.toContain("xxxxxxxxxx");
  });

  it("names the variable that is missing or wrong", () => {
    expect(problemsOf({ AI_PROVIDER: "openai" })).toEqual(["OPENAI_API_KEY: required when AI_PROVIDER=openai"]);
    expect(problemsOf({ AI_PROVIDER: "compatible" })[0]).toMatch(
      /^OPENAI_BASE_URL: required when AI_PROVIDER=compatible/,
    );
    expect(problemsOf({ AI_PROVIDER: "gemini" })[0]).toMatch(/^AI_PROVIDER: .*"gemini"/);
    expect(problemsOf({ OPENAI_BASE_URL: "ftp://x" })[0]).toMatch(
      /^OPENAI_BASE_URL: expected a URL starting with http/,
    );
    expect(problemsOf({ AI_MONTHLY_BUDGET_USD: "-1" })[0]).toMatch(
      /^AI_MONTHLY_BUDGET_USD: expected an amount of 0 or more/,
    );
    expect(problemsOf({ AI_PRICES: "{not json" })[0]).toMatch(/^AI_PRICES: expected JSON like/);
    expect(problemsOf({ AI_PRICES: '{"m":{"input":"cheap","output":1}}' })[0]).toMatch(/^AI_PRICES\.m\.input: /);
    expect(problemsOf({ AI_TIMEOUT_MS: "5" })[0]).toMatch(/^AI_TIMEOUT_MS: /);
  });

  it("accepts a compatible server without a key", () => {
    const { ai } = loadConfig({ AI_PROVIDER: "compatible", OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" });
    expect(ai).toMatchObject({ provider: "compatible", baseUrl: "http://127.0.0.1:11434/v1", openaiApiKey: undefined });
  });
});
