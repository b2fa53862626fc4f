import { createTestRedis, services, type TestRedis } from "@tidings/testing";
import { QueueEvents } from "bullmq";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createBullProducer, createInProcessProducer, type Processors, startBullWorkers } from "../src/index.ts";

const sentAt = new Date().toISOString();

function recordingProcessors(seen: string[]): Processors {
  return {
    email: async () => undefined,
    mail: async () => undefined,
    ai: async () => undefined,
    "mail-send": async () => undefined,
    maintenance: async (job) => {
      seen.push(`${job.name}:${job.data.sentAt}`);
      return { ok: true };
    },
  };
}

describe("in-process queue (embedded mode)", () => {
  it("runs each job through the processors once per job id", async () => {
    const seen: string[] = [];
    const producer = createInProcessProducer(recordingProcessors(seen), (error) => {
      throw error;
    });
    await producer.enqueue("maintenance", "ping", { sentAt }, { jobId: "a" });
    await producer.enqueue("maintenance", "ping", { sentAt }, { jobId: "a" });
    await producer.close();
    expect(seen).toEqual([`ping:${sentAt}`]);
  });

  it("runs a delayed job no earlier than its delay, and drops one not due at close", async () => {
    const seen: string[] = [];
    const producer = createInProcessProducer(recordingProcessors(seen), (error) => {
      throw error;
    });
    const started = Date.now();
    await producer.enqueue("maintenance", "ping", { sentAt }, { jobId: "soon", delayMs: 300 });
    await producer.enqueue("maintenance", "ping", { sentAt: "2026-01-01T00:00:00.000Z" }, { delayMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toEqual([]);
    await vi.waitFor(() => expect(seen).toEqual([`ping:${sentAt}`]), { timeout: 5_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await producer.close();
    expect(seen).toHaveLength(1);
  });

  it("refuses a payload that does not match the job's schema", async () => {
    const producer = createInProcessProducer(recordingProcessors([]), () => {});
    // @ts-expect-error sentAt must be an ISO date string
    await expect(producer.enqueue("maintenance", "ping", { sentAt: 5 })).rejects.toThrow(/sentAt/);
  });
});

describe.skipIf(!services().redis)("BullMQ queue on Redis", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await createTestRedis();
  });
  afterAll(() => redis?.cleanup());

  it("delivers a job to a worker under the file's own prefix, once per job id", async () => {
    const seen: string[] = [];
    const producer = createBullProducer(redis.client, redis.prefix);
    const workers = startBullWorkers(recordingProcessors(seen), redis.client, redis.prefix, {
      concurrency: 1,
      lockDurationMs: 5_000,
    });
    const events = new QueueEvents("maintenance", { connection: redis.client.duplicate(), prefix: redis.prefix });
    await events.waitUntilReady();
    try {
      const finished = new Promise((resolve) => events.on("completed", resolve));
      const id = await producer.enqueue("maintenance", "ping", { sentAt }, { jobId: "ping-1" });
      await producer.enqueue("maintenance", "ping", { sentAt }, { jobId: "ping-1" });
      expect(id).toBe("ping-1");
      await finished;
      expect(seen).toEqual([`ping:${sentAt}`]);
      expect(await redis.client.keys(`${redis.prefix}:maintenance:*`)).not.toHaveLength(0);
    } finally {
      await events.close();
      await workers.close();
      await producer.close();
    }
  });

  it("holds a delayed job until its delay has passed", async () => {
    const seen: Array<{ at: number }> = [];
    const processors = { ...recordingProcessors([]), maintenance: async () => seen.push({ at: Date.now() }) };
    const producer = createBullProducer(redis.client, redis.prefix);
    const workers = startBullWorkers(processors, redis.client, redis.prefix, { concurrency: 1, lockDurationMs: 5_000 });
    try {
      const enqueuedAt = Date.now();
      await producer.enqueue("maintenance", "ping", { sentAt }, { jobId: "delayed-1", delayMs: 1_000 });
      await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 10_000, interval: 50 });
      expect((seen[0]?.at ?? 0) - enqueuedAt).toBeGreaterThanOrEqual(1_000);
    } finally {
      await workers.close();
      await producer.close();
    }
  });
});
