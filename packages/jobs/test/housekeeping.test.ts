import { BUDGET_EXCEEDED_ERROR, insertMailUpload, recordAnalysisFailure } from "@tidings/db";
import { createMailFixture, createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInProcessProducer, type Processors, startHousekeeping } from "../src/index.ts";

describe("the housekeeping loop", () => {
  let testDb: TestDatabase;
  let userId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    userId = (
      await testDb.handle.db
        .insertInto("users")
        .values({ email: "ann@example.test", email_normalized: "ann@example.test" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it("prunes on its first pass and again on each interval, and stops cleanly", async () => {
    const { db } = testDb.handle;
    const staleUpload = async () => {
      const { id } = await insertMailUpload(db, {
        userId,
        filename: "a.txt",
        contentType: "text/plain",
        content: Buffer.from("a"),
      });
      await db
        .updateTable("mail_uploads")
        .set({ created_at: new Date(Date.now() - 48 * 3600_000) })
        .where("id", "=", id)
        .execute();
    };
    const passes: number[] = [];
    await staleUpload();
    const housekeeping = startHousekeeping({
      db,
      firstDelayMs: 10,
      intervalMs: 50,
      onPruned: (counts) => passes.push(counts.uploads),
    });
    try {
      await expect.poll(() => passes, { timeout: 10_000 }).toEqual([1]);
      await staleUpload();
      await expect.poll(() => passes, { timeout: 10_000 }).toEqual([1, 1]);
    } finally {
      await housekeeping.stop();
    }
    await staleUpload();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(passes).toEqual([1, 1]);
    const left = await db.selectFrom("mail_uploads").select("id").execute();
    expect(left).toHaveLength(1);
  });

  it("reports a failed pass to onError instead of throwing", async () => {
    const errors: unknown[] = [];
    // A database without the tables: every statement fails, as it would with the schema missing.
    const broken = await createTestDatabase({ migrate: false });
    const housekeeping = startHousekeeping({
      db: broken.handle.db,
      firstDelayMs: 60_000,
      onError: (error) => errors.push(error),
    });
    try {
      expect(await housekeeping.runOnce()).toBeUndefined();
      expect(errors).toHaveLength(1);
    } finally {
      await housekeeping.stop();
      await broken.drop();
    }
  });

  it("queues failed AI analyses for another round once their job gave up, not spent budgets of this month", async () => {
    const { db } = testDb.handle;
    const fixture = await createMailFixture(db, userId);
    const HOUR = 3600_000;
    const failed = async (options: { agoMs: number; error?: string; attempts?: number }) => {
      const { messageId } = await fixture.newMessage();
      await recordAnalysisFailure(db, {
        messageId,
        userId,
        accountId: fixture.accountId,
        provider: "compatible",
        model: "m",
        error: options.error ?? "server_error: 502",
      });
      await db
        .updateTable("ai_analyses")
        .set({ updated_at: new Date(Date.now() - options.agoMs), attempts: options.attempts ?? 6 })
        .where("message_id", "=", messageId)
        .execute();
      return messageId;
    };
    const gaveUp = await failed({ agoMs: 2 * HOUR });
    const stillRetrying = await failed({ agoMs: 60_000 });
    const lastRound = await failed({ agoMs: 2 * HOUR, attempts: 30 });
    const budgetThisMonth = await failed({ agoMs: 0, error: BUDGET_EXCEEDED_ERROR });
    await db
      .updateTable("ai_analyses")
      .set({ updated_at: new Date(Date.now() - 60_000) })
      .where("message_id", "=", budgetThisMonth)
      .execute();
    const budgetLastMonth = await failed({ agoMs: 40 * 24 * HOUR, error: BUDGET_EXCEEDED_ERROR });

    const queued: { id: string; messageId: string }[] = [];
    const processors: Processors = {
      email: async () => undefined,
      mail: async () => undefined,
      "mail-send": async () => undefined,
      maintenance: async () => undefined,
      ai: async (job) => {
        if (job.name === "analyze") queued.push({ id: job.id, messageId: job.data.messageId });
      },
    };
    const producer = createInProcessProducer(processors, () => {});
    const housekeeping = startHousekeeping({ db, producer, firstDelayMs: 60_000 });
    try {
      expect((await housekeeping.runOnce())?.analysesRetried).toBe(2);
      await expect.poll(() => queued.length, { timeout: 5_000 }).toBe(2);
      expect(queued.map((job) => job.messageId).sort()).toEqual([gaveUp, budgetLastMonth].sort());
      // The round is named by the attempts so far: every process's pass queues the same job id.
      expect(queued.find((job) => job.messageId === gaveUp)?.id).toBe(`analyze-${gaveUp}-retry-6`);
      expect(queued.map((job) => job.messageId)).not.toContain(stillRetrying);
      expect(queued.map((job) => job.messageId)).not.toContain(lastRound);
    } finally {
      await housekeeping.stop();
      await producer.close();
    }
  });
});
