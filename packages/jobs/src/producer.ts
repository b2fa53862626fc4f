import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import {
  type JobData,
  type JobName,
  PermanentJobError,
  type Processors,
  type QueueName,
  retryPolicies,
  runProcessor,
  toJob,
} from "./definitions.ts";

export interface EnqueueOptions {
  /** Jobs with the same id are enqueued once; use it to make producers idempotent. */
  jobId?: string;
  /** Run no earlier than this many ms from now (mail.send's undo window). */
  delayMs?: number;
  /**
   * BullMQ priority (1 is the highest); jobs without one go first. Embedded mode runs jobs as they
   * come, so work that must wait (first-sync analyses) also says so to its processor.
   */
  priority?: number;
}

export interface RawJob {
  queue: QueueName;
  name: string;
  data: unknown;
  jobId: string;
}

export interface JobProducer {
  enqueue<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    data: JobData<Q, N>,
    options?: EnqueueOptions,
  ): Promise<string>;
  /** For the outbox relay: payloads validated here, duplicates (same queue and id) ignored. */
  enqueueMany(jobs: RawJob[]): Promise<void>;
  close(): Promise<void>;
}

// Completed jobs stay a day so that a relay re-sending the same id (after a crash) is recognised.
const keepCompleted = { age: 24 * 60 * 60 };
const keepFailed = { age: 30 * 24 * 60 * 60 };

function bullJobOptions(queue: QueueName, jobId: string | undefined, delayMs?: number, priority?: number) {
  const policy = retryPolicies[queue];
  return {
    jobId,
    priority,
    delay: delayMs && delayMs > 0 ? Math.ceil(delayMs) : undefined,
    attempts: policy.attempts,
    backoff: policy.backoffMs ? { type: "exponential" as const, delay: policy.backoffMs } : undefined,
    removeOnComplete: keepCompleted,
    // Failed jobs are kept for inspection, for a month: under Redis's noeviction policy an
    // unbounded failed set would one day make Redis refuse every write.
    removeOnFail: keepFailed,
  };
}

function validatedData(queue: QueueName, job: RawJob): unknown {
  const { data } = toJob(queue, { id: job.jobId, name: job.name, data: job.data, attempt: 0 }) as { data: unknown };
  return data;
}

/** Production: BullMQ queues on Redis, consumed by any number of worker processes. */
export function createBullProducer(connection: Redis, prefix: string): JobProducer {
  const queues = new Map<QueueName, Queue>();
  const queueFor = (name: QueueName) => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix });
      queue.on("error", () => {});
      queues.set(name, queue);
    }
    return queue;
  };
  return {
    async enqueue(queue, name, data, options = {}) {
      const { data: payload } = toJob(queue, { id: "", name, data, attempt: 0 });
      const job = await queueFor(queue).add(
        name,
        payload,
        bullJobOptions(queue, options.jobId, options.delayMs, options.priority),
      );
      return job.id ?? options.jobId ?? "";
    },
    async enqueueMany(jobs) {
      const byQueue = new Map<QueueName, RawJob[]>();
      for (const job of jobs) byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
      for (const [queue, group] of byQueue) {
        await queueFor(queue).addBulk(
          group.map((job) => ({
            name: job.name,
            data: validatedData(queue, job),
            opts: bullJobOptions(queue, job.jobId),
          })),
        );
      }
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}

/**
 * Embedded mode: jobs run in this process through the same processors and retry policy the worker
 * uses. Nothing survives a restart except what the outbox still holds; that is the trade for needing no Redis.
 */
export function createInProcessProducer(
  processors: Processors,
  onError: (error: unknown, job: { queue: QueueName; name: string; id: string }) => void,
): JobProducer {
  // Ids queued or running; a duplicate of a finished job can only come after a restart, when this is empty anyway.
  const seen = new Set<string>();
  const running = new Set<Promise<unknown>>();
  let counter = 0;

  const run = async (queue: QueueName, name: string, data: unknown, id: string) => {
    const policy = retryPolicies[queue];
    for (let attempt = 1; attempt <= policy.attempts; attempt++) {
      try {
        await runProcessor(processors, toJob(queue, { id, name, data, attempt }));
        return;
      } catch (error) {
        const final = error instanceof PermanentJobError || attempt === policy.attempts;
        if (final) return onError(error, { queue, name, id });
        await new Promise((resolve) => setTimeout(resolve, policy.backoffMs * 2 ** (attempt - 1)));
      }
    }
  };

  // Delayed jobs not due yet, each with the way to drop it at close (resolves false).
  const delayed = new Map<NodeJS.Timeout, (due: boolean) => void>();
  const wait = (delayMs: number) =>
    new Promise<boolean>((resolve) => {
      if (delayMs <= 0) return setImmediate(() => resolve(true));
      const timer = setTimeout(() => {
        delayed.delete(timer);
        resolve(true);
      }, delayMs);
      delayed.set(timer, resolve);
    });

  const start = (queue: QueueName, name: string, data: unknown, id: string, delayMs = 0) => {
    toJob(queue, { id, name, data, attempt: 1 });
    if (seen.has(`${queue}:${id}`)) return;
    seen.add(`${queue}:${id}`);
    const task = wait(delayMs)
      .then((due) => (due ? run(queue, name, data, id) : undefined))
      .finally(() => {
        running.delete(task);
        seen.delete(`${queue}:${id}`);
      });
    running.add(task);
  };

  return {
    async enqueue(queue, name, data, options = {}) {
      const id = options.jobId ?? `${Date.now()}-${++counter}`;
      start(queue, name, data, id, options.delayMs);
      return id;
    },
    async enqueueMany(jobs) {
      for (const job of jobs) start(job.queue, job.name, job.data, job.jobId);
    },
    async close() {
      // Delayed jobs not due yet are dropped, as a restart would drop them (embedded mode keeps no queue).
      for (const [timer, resolve] of delayed) {
        clearTimeout(timer);
        resolve(false);
      }
      delayed.clear();
      await Promise.all(running);
    },
  };
}
