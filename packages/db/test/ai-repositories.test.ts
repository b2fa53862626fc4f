import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  aiBudgetPeriod,
  aiUsageSummary,
  budgetPeriodEnd,
  budgetPeriodStart,
  claimAiBudgetWarning,
  deleteAnalyses,
  failedAnalysesDue,
  findAiSettings,
  findAnalysis,
  findLocalModel,
  findThreadSummary,
  insertUserIfAbsent,
  lockLocalModel,
  recordAiFeedback,
  recordAnalysisFailure,
  reserveAiBudget,
  saveAnalysis,
  saveLocalModel,
  saveThreadSummary,
  settleAiReservation,
  updateAiSettings,
} from "../src/index.ts";

let testDb: TestDatabase;
let userId: string;
let otherUserId: string;
const accountId = "00000000-0000-4000-8000-00000000000a";
const message = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

async function newUser(email: string): Promise<string> {
  const user = await insertUserIfAbsent(testDb.handle.db, {
    email,
    emailNormalized: email,
    displayName: null,
    passwordHash: "x",
  });
  if (!user) throw new Error("user not created");
  return user.id;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  userId = await newUser("ai-user@tidings.test");
  otherUserId = await newUser("ai-other@tidings.test");
  await insertMailFixtures();
});

/** Analyses and summaries belong to real messages and threads (foreign keys): one account holds them all. */
async function insertMailFixtures(): Promise<void> {
  const db = testDb.handle.db;
  const server = { port: 993, security: "tls" as const, username: "ai-user" };
  await db
    .insertInto("mail_accounts")
    .values({
      id: accountId,
      user_id: userId,
      email: "ai-user@tidings.test",
      provider: "custom",
      imap_host: "imap.example.test",
      imap_port: server.port,
      imap_security: server.security,
      imap_username: server.username,
      smtp_host: "smtp.example.test",
      smtp_port: 465,
      smtp_security: server.security,
      smtp_username: server.username,
      credentials_sealed: "sealed",
    })
    .execute();
  const folder = await db
    .insertInto("mail_folders")
    .values({ account_id: accountId, path: "INBOX", name: "Inbox", role: "inbox" })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("mail_threads")
    .values({ id: message(50), account_id: accountId, user_id: userId, last_message_at: new Date() })
    .execute();
  for (const n of [1, 2, 3, 4, 5]) {
    await db
      .insertInto("mail_messages")
      .values({
        id: message(n),
        account_id: accountId,
        user_id: userId,
        folder_id: folder.id,
        thread_id: message(50),
        uid: n,
        to: "[]",
        cc: "[]",
        reply_to: "[]",
        date: new Date(),
      })
      .execute();
  }
}
afterAll(() => testDb?.drop());

const analysis = (messageId: string) => ({
  messageId,
  userId,
  accountId,
  priority: "high" as const,
  category: "work",
  needsReply: true,
  summary: "Asks for the numbers.",
  actionItems: [{ text: "Send the numbers", due: "2026-12-04" }],
  reasons: ["asks you something"],
  provider: "local",
  model: "tidings-local-1",
});

describe("AI analyses", () => {
  it("store an analysis per message, visible to its owner only", async () => {
    const { db } = testDb.handle;
    await saveAnalysis(db, analysis(message(1)));
    expect(await findAnalysis(db, userId, message(1))).toMatchObject({
      status: "ready",
      priority: "high",
      needs_reply: true,
      action_items: [{ text: "Send the numbers", due: "2026-12-04" }],
      reasons: ["asks you something"],
    });
    expect(await findAnalysis(db, otherUserId, message(1))).toBeUndefined();
  });

  it("keep failures for a retry, never over a ready analysis", async () => {
    const { db } = testDb.handle;
    const failure = {
      messageId: message(2),
      userId,
      accountId,
      provider: "openai",
      model: "gpt-4o-mini",
      error: "502",
    };
    await recordAnalysisFailure(db, failure);
    await recordAnalysisFailure(db, { ...failure, error: "timeout" });
    expect(await findAnalysis(db, userId, message(2))).toMatchObject({
      status: "failed",
      attempts: 2,
      last_error: "timeout",
    });
    const due = await failedAnalysesDue(db, {
      lastTriedBefore: new Date(Date.now() + 1000),
      maxAttempts: 5,
      limit: 10,
    });
    expect(due.map((row) => row.message_id)).toEqual([message(2)]);
    expect(
      await failedAnalysesDue(db, { lastTriedBefore: new Date(Date.now() + 1000), maxAttempts: 2, limit: 10 }),
    ).toEqual([]);

    await recordAnalysisFailure(db, { ...failure, messageId: message(1) });
    expect(await findAnalysis(db, userId, message(1))).toMatchObject({ status: "ready", last_error: null });

    await saveAnalysis(db, analysis(message(2)));
    expect(await findAnalysis(db, userId, message(2))).toMatchObject({ status: "ready", last_error: null });
    expect(await deleteAnalyses(db, [message(1), message(2)])).toBe(2);
  });

  it("refuse a ready row without its fields", async () => {
    const { db } = testDb.handle;
    await expect(
      db
        .insertInto("ai_analyses")
        .values({
          message_id: message(3),
          user_id: userId,
          account_id: accountId,
          status: "ready",
          provider: "local",
          model: "m",
        })
        .execute(),
    ).rejects.toThrow(/ai_analyses_ready_complete/);
  });

  it("cache a thread summary until the thread's version changes", async () => {
    const { db } = testDb.handle;
    const thread = message(50);
    await saveThreadSummary(db, { userId, threadId: thread, threadVersion: "m1:1", summary: { summary: "one" } });
    expect(await findThreadSummary(db, userId, thread, "m1:1")).toEqual({ summary: "one" });
    expect(await findThreadSummary(db, userId, thread, "m2:2")).toBeUndefined();
    expect(await findThreadSummary(db, otherUserId, thread, "m1:1")).toBeUndefined();
    await saveThreadSummary(db, { userId, threadId: thread, threadVersion: "m2:2", summary: { summary: "two" } });
    expect(await findThreadSummary(db, userId, thread, "m2:2")).toEqual({ summary: "two" });
  });
});

describe("AI settings", () => {
  it("store only overrides, and null returns a setting to the default", async () => {
    const { db } = testDb.handle;
    expect(await findAiSettings(db, userId)).toBeUndefined();
    await updateAiSettings(db, userId, { provider: "compatible", base_url: "http://127.0.0.1:11434/v1" });
    const row = await updateAiSettings(db, userId, {
      excluded_senders: ["boss@corp.example"],
      excluded_account_ids: [accountId],
      monthly_budget_micro_usd: 2_000_000,
    });
    expect(row).toMatchObject({
      provider: "compatible",
      base_url: "http://127.0.0.1:11434/v1",
      excluded_senders: ["boss@corp.example"],
      excluded_account_ids: [accountId],
      monthly_budget_micro_usd: 2_000_000,
      model_triage: null,
    });
    expect(await updateAiSettings(db, userId, { base_url: null })).toMatchObject({
      base_url: null,
      provider: "compatible",
    });
  });
});

function ledgerEntry(owner: string) {
  return {
    userId: owner,
    feature: "triage" as const,
    provider: "openai",
    model: "gpt-4o-mini",
    inputTokens: 500,
    outputTokens: 100,
    costMicroUsd: 0,
    latencyMs: 320,
    outcome: "ok",
  };
}

describe("AI budget and ledger", () => {
  const period = budgetPeriodStart(new Date("2026-12-15T12:00:00Z"));

  it("name the month as the period", () => {
    expect(period).toBe("2026-12-01");
    expect(budgetPeriodEnd(new Date("2026-12-31T23:59:59Z")).toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("let 100 concurrent reservations take exactly what the budget holds, once a call settled within its reservation", async () => {
    const { db } = testDb.handle;
    const reserve = () =>
      reserveAiBudget(db, { userId: otherUserId, periodStart: period, amountMicroUsd: 1_000, budgetMicroUsd: 10_000 });
    // The period's first call is the probe: alone in flight until it settles within its reservation.
    const [probe, second] = await Promise.all([reserve(), reserve()]);
    expect([probe, second].map((result) => result.status).sort()).toEqual(["busy", "reserved"]);
    await settleAiReservation(db, {
      periodStart: period,
      reservedMicroUsd: 1_000,
      entry: { ...ledgerEntry(otherUserId), costMicroUsd: 1_000 },
    });
    const results = await Promise.all(Array.from({ length: 100 }, reserve));
    expect(results.filter((result) => result.status === "reserved")).toHaveLength(9);
    expect(results.filter((result) => result.status === "over-budget")).toHaveLength(91);
    expect(await aiBudgetPeriod(db, otherUserId, period)).toEqual({
      spentMicroUsd: 1_000,
      reservedMicroUsd: 9_000,
      exhaustedAt: null,
    });
    // A reservation larger than the whole budget is refused even on an empty period.
    expect(
      await reserveAiBudget(db, { userId, periodStart: "2027-01-01", amountMicroUsd: 5, budgetMicroUsd: 4 }),
    ).toEqual({ status: "over-budget" });
  });

  it("record a cost above its reservation as it is, scale later reservations by it, and probe again", async () => {
    const { db } = testDb.handle;
    const periodStart = "2027-02-01";
    const owner = await newUser("ai-overrun@tidings.test");
    const reserve = () =>
      reserveAiBudget(db, { userId: owner, periodStart, amountMicroUsd: 1_000, budgetMicroUsd: 100_000 });
    expect(await reserve()).toEqual({ status: "reserved", reservedMicroUsd: 1_000 });
    const after = await settleAiReservation(db, {
      periodStart,
      reservedMicroUsd: 1_000,
      entry: { ...ledgerEntry(owner), costMicroUsd: 2_500 },
    });
    expect(after.spentAfterMicroUsd).toBe(2_500);
    // The bound broke: reservations are 2.5 times the estimate, and one call probes at a time again.
    const [first, second] = await Promise.all([reserve(), reserve()]);
    expect([first, second]).toContainEqual({ status: "reserved", reservedMicroUsd: 2_500 });
    expect([first, second]).toContainEqual({ status: "busy" });
    await settleAiReservation(db, {
      periodStart,
      reservedMicroUsd: 2_500,
      baseMicroUsd: 1_000,
      entry: { ...ledgerEntry(owner), costMicroUsd: 2_400 },
    });
    const [third, fourth] = await Promise.all([reserve(), reserve()]);
    expect([third, fourth]).toEqual([
      { status: "reserved", reservedMicroUsd: 2_500 },
      { status: "reserved", reservedMicroUsd: 2_500 },
    ]);
    expect(await aiBudgetPeriod(db, owner, periodStart)).toMatchObject({
      spentMicroUsd: 4_900,
      reservedMicroUsd: 5_000,
    });
  });

  it("settle reservations into the ledger, whose sums are the usage", async () => {
    const { db } = testDb.handle;
    const entry = {
      userId,
      feature: "triage" as const,
      provider: "openai",
      model: "gpt-4o-mini",
      inputTokens: 500,
      outputTokens: 100,
      costMicroUsd: 135,
      latencyMs: 320,
      outcome: "ok",
    };
    for (const [feature, model, cost] of [
      ["triage", "gpt-4o-mini", 135],
      ["triage", "gpt-4o-mini", 120],
      ["draft", "gpt-4o", 2_500],
    ] as const) {
      expect(
        await reserveAiBudget(db, { userId, periodStart: period, amountMicroUsd: 3_000, budgetMicroUsd: 10_000 }),
      ).toEqual({ status: "reserved", reservedMicroUsd: 3_000 });
      await settleAiReservation(db, {
        periodStart: period,
        reservedMicroUsd: 3_000,
        entry: { ...entry, feature, model, costMicroUsd: cost },
      });
    }
    expect(await aiBudgetPeriod(db, userId, period)).toEqual({
      spentMicroUsd: 2_755,
      reservedMicroUsd: 0,
      exhaustedAt: null,
    });

    const usage = await aiUsageSummary(db, userId, new Date("2000-01-01"), new Date("2100-01-01"));
    expect(usage).toEqual({
      requests: 3,
      inputTokens: 1_500,
      outputTokens: 300,
      costMicroUsd: 2_755,
      // Ledger rows are stamped now(): one UTC day holds all three.
      byDay: [{ day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), costMicroUsd: 2_755, requests: 3 }],
      byFeature: [
        { feature: "draft", requests: 1, inputTokens: 500, outputTokens: 100, costMicroUsd: 2_500 },
        { feature: "triage", requests: 2, inputTokens: 1_000, outputTokens: 200, costMicroUsd: 255 },
      ],
      byModel: [
        { model: "gpt-4o", requests: 1, inputTokens: 500, outputTokens: 100, costMicroUsd: 2_500 },
        { model: "gpt-4o-mini", requests: 2, inputTokens: 1_000, outputTokens: 200, costMicroUsd: 255 },
      ],
    });
  });

  it("hand each budget warning to one caller only", async () => {
    const { db } = testDb.handle;
    const claims = await Promise.all(Array.from({ length: 5 }, () => claimAiBudgetWarning(db, userId, period, 80)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await claimAiBudgetWarning(db, userId, period, 100)).toBe(true);
    expect(await claimAiBudgetWarning(db, userId, period, 100)).toBe(false);
  });
});

describe("local model state", () => {
  it("is saved per user and applied one lesson at a time under a row lock", async () => {
    const { db } = testDb.handle;
    expect(await findLocalModel(db, userId)).toBeUndefined();
    await saveLocalModel(db, userId, { samples: 0 }, 0);
    // Ten concurrent read-modify-write lessons: with the lock none is lost.
    await Promise.all(
      Array.from({ length: 10 }, () =>
        db.transaction().execute(async (trx) => {
          const current = await lockLocalModel(trx, userId);
          const samples = (current?.samples ?? 0) + 1;
          await saveLocalModel(trx, userId, { samples }, samples);
        }),
      ),
    );
    expect(await findLocalModel(db, userId)).toEqual({ state: { samples: 10 }, samples: 10 });
    await recordAiFeedback(db, { userId, messageId: message(1), source: "feedback", priority: "low" });
  });
});
