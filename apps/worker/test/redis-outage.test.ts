import { countOutboxBacklog } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import {
  type OwnRedisServer,
  type RunningProcess,
  type SmtpSink,
  services,
  startOwnRedisServer,
  startSmtpSink,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryStatuses, queueWelcomeEmails, startWorker } from "./helpers.ts";

describe.skipIf(!services().postgres || !services().redis)("Redis down while emails are written", () => {
  let testDb: TestDatabase;
  let redis: OwnRedisServer;
  let smtp: SmtpSink;
  let worker: RunningProcess;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    redis = await startOwnRedisServer();
    smtp = await startSmtpSink();
    worker = await startWorker({ DATABASE_URL: testDb.url, REDIS_URL: redis.url, SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await worker?.stop();
    await smtp?.close();
    await redis?.dispose();
    await testDb?.drop();
  });

  it("keeps all 50 outbox rows while Redis is away and delivers them once it is back", async () => {
    await redis.stop();
    await queueWelcomeEmails(testDb.handle.db, 50, "outage");

    // The relay keeps trying; the rows stay in the outbox, nothing is sent or lost.
    await worker.waitFor(/could not pass waiting emails and jobs to the queue; retrying/, 20_000);
    expect(await countOutboxBacklog(testDb.handle.db)).toBe(50);
    expect(smtp.accepted).toHaveLength(0);

    await redis.start();
    await smtp.waitForAccepted(50, 60_000);
    await expect.poll(() => deliveryStatuses(testDb.handle.db), { timeout: 20_000 }).toEqual({ sent: 50 });
    expect(new Set(smtp.accepted.map((email) => email.messageId)).size).toBe(50);
    expect(await countOutboxBacklog(testDb.handle.db)).toBe(0);
  });
});
