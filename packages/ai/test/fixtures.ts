import type { CallResult, CallStart, EmailForAnalysis, Meter } from "../src/index.ts";
import { AiBudgetExceededError, createOpenAiProvider, defaultModelPrices } from "../src/index.ts";

export function email(overrides: Partial<EmailForAnalysis> = {}): EmailForAnalysis {
  return {
    id: "msg-1",
    accountId: "account-1",
    from: { name: "Ada Lovelace", email: "ada@analytical.example" },
    to: [{ name: "Me", email: "me@tidings.test" }],
    cc: [],
    subject: "Quarterly numbers",
    date: new Date("2026-12-01T09:00:00Z"),
    text: "Hi,\n\nCould you send me the quarterly numbers by Friday?\n\nThanks,\nAda",
    html: null,
    headers: {},
    hasCalendar: false,
    ...overrides,
  };
}

export const me = { ownAddresses: ["me@tidings.test"], repliedToSenderBefore: false, knownContact: false };

/** A budget kept in memory with the same contract as the database one: reserve, then settle. */
export function memoryMeter(budgetUsd = Number.POSITIVE_INFINITY) {
  const ledger: (CallStart & CallResult)[] = [];
  let committed = 0;
  const meter: Meter = {
    async reserve(call) {
      if (committed + call.maxCostUsd > budgetUsd) throw new AiBudgetExceededError(new Date("2027-01-01T00:00:00Z"));
      committed += call.maxCostUsd;
      return {
        async settle(result) {
          committed += result.costUsd - call.maxCostUsd;
          ledger.push({ ...call, ...result });
        },
      };
    },
  };
  return { meter, ledger };
}

/** The OpenAI provider pointed at a fake OpenAI-compatible server, with no retries. */
export function fakeOpenAiProvider(baseUrl: string, timeoutMs: number) {
  return createOpenAiProvider({
    kind: "openai",
    apiKey: "sk-test",
    baseUrl,
    models: { triage: "gpt-4o-mini", summary: "gpt-4o-mini", draft: "gpt-4o" },
    prices: defaultModelPrices,
    timeoutMs,
    maxRetries: 0,
  });
}
