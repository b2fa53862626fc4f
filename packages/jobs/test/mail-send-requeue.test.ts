import { insertUserIfAbsent } from "@tidings/db";
import { createMailFixture, createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInProcessProducer, type Job, requeuePendingMailSends } from "../src/index.ts";

// Embedded mode keeps its queue in memory: after a restart, messages still waiting are queued again.
let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.drop());

describe("requeuePendingMailSends", () => {
  it("queues every queued or retrying message at its own time, and nothing sent, failed or cancelled", async () => {
    const { db } = testDb.handle;
    const user = await insertUserIfAbsent(db, {
      email: "r@example.test",
      emailNormalized: "r@example.test",
      displayName: null,
      passwordHash: "x",
    });
    if (!user) throw new Error("exists");
    const { accountId } = await createMailFixture(db, user.id);
    const row = (status: string, sendAt: Date) =>
      db
        .insertInto("mail_outgoing")
        .values({
          user_id: user.id,
          account_id: accountId,
          status: status as "queued",
          send_at: sendAt,
          message_id: `${status}@t`,
          from_email: "r@example.test",
          to: "[]",
          cc: "[]",
          bcc: "[]",
          subject: "s",
          text_body: "t",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
    const due = await row("queued", new Date(Date.now() - 1000));
    const laterAt = new Date(Date.now() + 400);
    const later = await row("queued", laterAt);
    const retrying = await row("sending", new Date(Date.now() - 5000));
    for (const status of ["sent", "failed", "cancelled"]) await row(status, new Date());

    const ran: Array<{ id: string; at: number }> = [];
    const producer = createInProcessProducer(
      {
        email: async () => undefined,
        maintenance: async () => undefined,
        mail: async () => undefined,
        ai: async () => undefined,
        "mail-send": async (job: Job<"mail-send">) => {
          if (job.name === "send") ran.push({ id: job.data.outgoingId, at: Date.now() });
        },
      },
      (error) => {
        throw error;
      },
    );
    expect(await requeuePendingMailSends(db, producer)).toBe(3);
    await expect.poll(() => ran.length, { timeout: 5_000 }).toBe(3);
    await producer.close();
    expect(ran.map((entry) => entry.id).sort()).toEqual([due.id, later.id, retrying.id].sort());
    // Not before its time (timers may fire a few ms early).
    expect(ran.find((entry) => entry.id === later.id)?.at ?? 0).toBeGreaterThanOrEqual(laterAt.getTime() - 20);
  });
});
