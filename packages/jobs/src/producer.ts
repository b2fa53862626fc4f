import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { type JobData, type JobName, type Processors, type QueueName, runProcessor, toJob } from "./definitions.ts";

export interface EnqueueOptions {
  /** Jobs with the same id are enqueued once; use it to make producers idempotent. */
  jobId?: string;
}

export interface JobProducer {
  enqueue<Q extends QueueName, N extends JobName<Q>>(
    queue: Q,
    name: N,
    data: JobData<Q, N>,
    options?: EnqueueOptions,
  ): Promise<string>;
  close(): Promise<void>;
}

/** Production: BullMQ queues on Redis, consumed by any number of worker processes. */
export function createBullProducer(connection: Redis, prefix: string): JobProducer {
  const queues = new Map<QueueName, Queue>();
  const queueFor = (name: QueueName) => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix });
      queues.set(name, queue);
    }
    return queue;
  };
  return {
    async enqueue(queue, name, data, options = {}) {
      const { data: payload } = toJob(queue, { id: "", name, data, attempt: 0 });
      const job = await queueFor(queue).add(name, payload, { jobId: options.jobId });
      return job.id ?? options.jobId ?? "";
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}

/**
 * Embedded mode: jobs run in this process, after the current tick, through the same processors
 * the worker uses. Nothing survives a restart; that is the trade for needing no Redis.
 */
export function createInProcessProducer(processors: Processors, onError: (error: unknown) => void): JobProducer {
  const seen = new Set<string>();
  const running = new Set<Promise<unknown>>();
  let counter = 0;
  return {
    async enqueue(queue, name, data, options = {}) {
      const id = options.jobId ?? `${Date.now()}-${++counter}`;
      const job = toJob(queue, { id, name, data, attempt: 1 });
      if (seen.has(`${queue}:${id}`)) return id;
      seen.add(`${queue}:${id}`);
      const run = new Promise((resolve) => setImmediate(resolve))
        .then(() => runProcessor(processors, job))
        .catch(onError)
        .finally(() => running.delete(run));
      running.add(run);
      return id;
    },
    async close() {
      await Promise.all(running);
    },
  };
}
