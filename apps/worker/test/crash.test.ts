import { countOutboxBacklog } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import {
  createTestRedis,
  type RunningProcess,
  type SmtpSink,
  services,
  startSmtpSink,
  type TestRedis,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryStatuses, queueWelcomeEmails, startWorker } from "./helpers.ts";

describe.skipIf(!services().postgres || !services().redis)("a worker killed in the middle of a batch", () => {
  let testDb: TestDatabase;
  let redis: TestRedis;
  let smtp: SmtpSink;
  let worker: RunningProcess | undefined;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    redis = await createTestRedis();
    smtp = await startSmtpSink();
  });
  afterAll(async () => {
    await worker?.stop("SIGKILL");
    await smtp?.close();
    await redis?.cleanup();
    await testDb?.drop();
  });

  it("delivers all 200 emails exactly once after a SIGKILL and a restart", async () => {
    const env = {
      DATABASE_URL: testDb.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      SMTP_URL: smtp.url,
      // A killed worker's jobs are taken over after this long, instead of the default 30 s.
      WORKER_LOCK_DURATION_MS: "2000",
    };
    await queueWelcomeEmails(testDb.handle.db, 200, "batch");
    worker = await startWorker(env);

    await smtp.waitForAccepted(60);
    // Freeze the SMTP side so the kill lands while messages are in the middle of being sent.
    smtp.hold();
    await expect.poll(() => smtp.held(), { timeout: 10_000 }).toBeGreaterThan(0);
    const acceptedBeforeKill = smtp.accepted.length;
    expect(await worker.stop("SIGKILL")).toBe("SIGKILL");
    worker = undefined;
    expect(acceptedBeforeKill).toBeLessThan(200);
    smtp.release();

    worker = await startWorker(env);
    await smtp.waitForAccepted(200, 90_000);
    await expect.poll(() => deliveryStatuses(testDb.handle.db), { timeout: 20_000 }).toEqual({ sent: 200 });

    const counts = new Map<string, number>();
    for (const email of smtp.accepted) counts.set(email.messageId, (counts.get(email.messageId) ?? 0) + 1);
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(await countOutboxBacklog(testDb.handle.db)).toBe(0);
  });
});
