import { aiBudgetPeriod, aiUsageSummary, budgetPeriodStart, insertUserIfAbsent } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AiBudgetExceededError, createBudgetMeter } from "../src/index.ts";
import { completion, startFakeOpenAi } from "./fake-openai.ts";
import { email, fakeOpenAiProvider, me, memoryMeter } from "./fixtures.ts";

let testDb: TestDatabase;
let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
const answer = {
  priority: "normal",
  category: "work",
  needsReply: false,
  summary: "A note.",
  actionItems: [],
  reasons: [],
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  // Usage as a real server reports it: about four bytes of prompt per token, the output at its limit.
  fake = await startFakeOpenAi((request) => ({
    delayMs: 200,
    json: completion(JSON.stringify(answer), {
      prompt_tokens: Math.ceil(JSON.stringify(request.body).length / 4),
      completion_tokens: request.body.max_completion_tokens as number,
    }),
  }));
});
afterAll(async () => {
  await fake?.close();
  await testDb?.drop();
});

const provider = () => fakeOpenAiProvider(fake.baseUrl, 10_000);

describe("budget meter on Postgres", () => {
  it("lets 100 concurrent calls spend at most the budget plus one call, refuses the rest, and the ledger is the usage", async () => {
    const { db } = testDb.handle;
    const user = await insertUserIfAbsent(db, {
      email: "budget@tidings.test",
      emailNormalized: "budget@tidings.test",
      displayName: null,
      passwordHash: "x",
    });
    if (!user) throw new Error("no user");

    // One call's maximum cost, as the provider reserves it.
    const probe = memoryMeter();
    await provider().analyze(email(), { meter: probe.meter, recipient: me });
    const maxCallUsd = probe.ledger[0]?.maxCostUsd ?? 0;
    expect(maxCallUsd).toBeGreaterThan(0);
    fake.requests.length = 0;

    const warnings: number[] = [];
    const budgetUsd = (10 * Math.ceil(maxCallUsd * 1_000_000)) / 1_000_000;
    const meter = createBudgetMeter({
      db,
      userId: user.id,
      monthlyBudgetUsd: budgetUsd,
      onBudgetWarning: ({ level }) => {
        warnings.push(level);
      },
    });
    const ai = provider();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => ai.analyze(email({ id: `m-${i}` }), { meter, recipient: me })),
    );

    const succeeded = outcomes.filter((outcome) => outcome.status === "fulfilled").length;
    const refused = outcomes.filter(
      (outcome) => outcome.status === "rejected" && outcome.reason instanceof AiBudgetExceededError,
    ).length;
    expect(succeeded).toBeGreaterThanOrEqual(10);
    expect(succeeded + refused).toBe(100);
    expect(fake.requests).toHaveLength(succeeded);

    const usage = await aiUsageSummary(db, user.id, new Date(0), new Date(Date.now() + 60_000));
    expect(usage.requests).toBe(succeeded);
    expect(usage.costMicroUsd / 1_000_000).toBeLessThanOrEqual(budgetUsd + maxCallUsd);
    const period = await aiBudgetPeriod(db, user.id, budgetPeriodStart(new Date()));
    expect(period).toMatchObject({ spentMicroUsd: usage.costMicroUsd, reservedMicroUsd: 0 });
    expect(warnings.filter((level) => level === 100)).toHaveLength(1);
    expect(warnings.filter((level) => level === 80).length).toBeLessThanOrEqual(1);
  });
  it("bounds the overrun of a provider reporting three times the reservation's maximum to one call, and records it all", async () => {
    const { db } = testDb.handle;
    const user = await insertUserIfAbsent(db, {
      email: "inflated@tidings.test",
      emailNormalized: "inflated@tidings.test",
      displayName: null,
      passwordHash: "x",
    });
    if (!user) throw new Error("no user");
    // More tokens than the request could hold: three per byte of the request, and three times the output limit.
    const inflating = await startFakeOpenAi((request) => ({
      delayMs: 100,
      json: completion(JSON.stringify(answer), {
        prompt_tokens: 3 * JSON.stringify(request.body).length,
        completion_tokens: 3 * (request.body.max_completion_tokens as number),
      }),
    }));
    try {
      const probe = memoryMeter();
      await fakeOpenAiProvider(inflating.baseUrl, 10_000).analyze(email(), { meter: probe.meter, recipient: me });
      const maxCallUsd = probe.ledger[0]?.maxCostUsd ?? 0;
      expect(maxCallUsd).toBeGreaterThan(0);
      inflating.requests.length = 0;

      const budgetMicroUsd = 10 * Math.ceil(maxCallUsd * 1_000_000);
      const meter = createBudgetMeter({ db, userId: user.id, monthlyBudgetUsd: budgetMicroUsd / 1_000_000 });
      const ai = fakeOpenAiProvider(inflating.baseUrl, 10_000);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) => ai.analyze(email({ id: `m-${i}` }), { meter, recipient: me })),
      );
      const succeeded = outcomes.filter((outcome) => outcome.status === "fulfilled").length;
      const refused = outcomes.filter(
        (outcome) => outcome.status === "rejected" && outcome.reason instanceof AiBudgetExceededError,
      ).length;
      expect(succeeded).toBeGreaterThan(0);
      expect(succeeded + refused).toBe(100);
      expect(inflating.requests).toHaveLength(succeeded);

      // Every reported token is in the ledger, above the reservation or not.
      const rows = await db
        .selectFrom("ai_requests")
        .select(["cost_micro_usd", "input_tokens"])
        .where("user_id", "=", user.id)
        .execute();
      expect(rows).toHaveLength(succeeded);
      const largestCall = Math.max(...rows.map((row) => Number(row.cost_micro_usd)));
      expect(largestCall).toBeGreaterThan(2 * maxCallUsd * 1_000_000);
      const usage = await aiUsageSummary(db, user.id, new Date(0), new Date(Date.now() + 60_000));
      expect(usage.costMicroUsd).toBe(rows.reduce((sum, row) => sum + Number(row.cost_micro_usd), 0));
      expect(usage.costMicroUsd).toBeLessThanOrEqual(budgetMicroUsd + largestCall);
      const period = await aiBudgetPeriod(db, user.id, budgetPeriodStart(new Date()));
      expect(period).toMatchObject({ spentMicroUsd: usage.costMicroUsd, reservedMicroUsd: 0 });
    } finally {
      await inflating.close();
    }
  });
});
