import { findEmailDelivery } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { queueEmail } from "@tidings/jobs";
import {
  createTestRedis,
  type RunningProcess,
  type SmtpSink,
  services,
  startSmtpSink,
  type TestRedis,
} from "@tidings/testing";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker } from "./helpers.ts";

describe.skipIf(!services().postgres || !services().redis)("email delivery through the outbox, BullMQ and SMTP", () => {
  let testDb: TestDatabase;
  let redis: TestRedis;
  let smtp: SmtpSink;
  let worker: RunningProcess;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    redis = await createTestRedis();
    smtp = await startSmtpSink({
      reply: (email, attempt) => {
        if (email.to.startsWith("rejected@")) return { code: 550, message: "No such user here" };
        if (email.to.startsWith("greylisted@") && attempt === 1) return { code: 451, message: "Greylisted, try later" };
        return undefined;
      },
    });
    worker = await startWorker({
      DATABASE_URL: testDb.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      SMTP_URL: smtp.url,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await smtp?.close();
    await redis?.cleanup();
    await testDb?.drop();
  });

  it("delivers a queued email to a real SMTP server with recipient, subject, HTML, text and link", async () => {
    const id = await queueEmail(testDb.handle.db, {
      template: "verify-email",
      to: "ada@example.test",
      data: { displayName: "Ada", token: "tok_abc123" },
    });
    const [email] = await smtp.waitForAccepted(1);
    const link = "https://mail.example.test/verify-email?token=tok_abc123";
    expect(email?.to).toBe("ada@example.test");
    expect(email?.from).toMatch(/^"?Tidings"? <no-reply@mail.example.test>$/);
    expect(email?.subject.length).toBeGreaterThan(5);
    expect(email?.html).toContain(link);
    expect(email?.html).toContain("Ada");
    expect(email?.text).toContain(link);
    expect(email?.messageId).toBe(`<${id}@mail.example.test>`);

    await expect.poll(async () => (await findEmailDelivery(testDb.handle.db, id))?.status).toBe("sent");
    expect(await findEmailDelivery(testDb.handle.db, id)).toMatchObject({ attempts: 1, recipient: "ada@example.test" });
  });

  it("gives up after one try on a permanent 550 and keeps the failed job", async () => {
    const id = await queueEmail(testDb.handle.db, {
      template: "welcome",
      to: "rejected@example.test",
      data: { displayName: null },
    });
    await expect
      .poll(async () => (await findEmailDelivery(testDb.handle.db, id))?.status, { timeout: 15_000 })
      .toBe("failed");
    const delivery = await findEmailDelivery(testDb.handle.db, id);
    expect(delivery).toMatchObject({ attempts: 1 });
    expect(delivery?.last_error).toMatch(/550/);

    const queue = new Queue("email", { connection: redis.client.duplicate(), prefix: redis.prefix });
    try {
      const job = await queue.getJob(id);
      expect(await job?.getState()).toBe("failed");
      expect(job?.attemptsMade).toBe(1);
      // Kept for a month, not for ever: Redis runs with noeviction.
      expect(job?.opts.removeOnFail).toEqual({ age: 30 * 24 * 60 * 60 });
    } finally {
      await queue.close();
    }
  });

  it("retries a transient 451 and delivers on the next try", async () => {
    const id = await queueEmail(testDb.handle.db, {
      template: "welcome",
      to: "greylisted@example.test",
      data: { displayName: null },
    });
    await expect
      .poll(async () => (await findEmailDelivery(testDb.handle.db, id))?.status, { timeout: 20_000 })
      .toBe("sent");
    expect(await findEmailDelivery(testDb.handle.db, id)).toMatchObject({ attempts: 2 });
    expect(smtp.accepted.filter((email) => email.to === "greylisted@example.test")).toHaveLength(1);
  });
});
