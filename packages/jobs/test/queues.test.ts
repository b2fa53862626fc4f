import { createTestRedis, services, type TestRedis } from "@tidings/testing";
import { QueueEvents } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBullProducer, createInProcessProducer, type Processors, startBullWorkers } from "../src/index.ts";

const sentAt = new Date().toISOString();

function recordingProcessors(seen: string[]): Processors {
  return {
    email: async () => undefined,
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
});
