import { UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { PermanentJobError, type Processors, type QueueName, queueNames, runProcessor, toJob } from "./definitions.ts";

export interface WorkerEvents {
  onCompleted?(queue: QueueName, jobId: string, name: string): void;
  onFailed?(queue: QueueName, jobId: string | undefined, name: string | undefined, error: Error): void;
}

export interface WorkerOptions {
  /** How long a job stays claimed without a heartbeat before another worker takes it over (after a crash). */
  lockDurationMs: number;
  /** Jobs one process runs at once, per queue. */
  concurrency: number;
  /** Another number for some queues (the `ai` queue takes more jobs than it runs, to share them fairly). */
  queueConcurrency?: Partial<Record<QueueName, number>>;
}

export interface RunningWorkers {
  /** Resolves once every queue's worker is connected to Redis and taking jobs. */
  ready(): Promise<void>;
  /** Waits for the jobs in progress, then disconnects. */
  close(): Promise<void>;
}

/** A BullMQ worker per queue, each with its own blocking connection (BullMQ requires that). */
export function startBullWorkers(
  processors: Processors,
  connection: Redis,
  prefix: string,
  options: WorkerOptions,
  events: WorkerEvents = {},
): RunningWorkers {
  const connections: Redis[] = [];
  const workers = queueNames.map((queue) => {
    const workerConnection = connection.duplicate({ maxRetriesPerRequest: null });
    connections.push(workerConnection);
    const worker = new Worker(
      queue,
      async (job) => {
        try {
          const attempt = job.attemptsMade + 1;
          return await runProcessor(
            processors,
            toJob(queue, { id: job.id ?? "", name: job.name, data: job.data, attempt }),
          );
        } catch (error) {
          // BullMQ's own marker for "do not retry".
          if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
          throw error;
        }
      },
      {
        connection: workerConnection,
        prefix,
        concurrency: options.queueConcurrency?.[queue] ?? options.concurrency,
        lockDuration: options.lockDurationMs,
        stalledInterval: Math.max(1_000, Math.floor(options.lockDurationMs / 2)),
      },
    );
    worker.on("completed", (job) => events.onCompleted?.(queue, job.id ?? "", job.name));
    worker.on("failed", (job, error) => events.onFailed?.(queue, job?.id, job?.name, error));
    // Connection errors are retried by ioredis; without a listener Node would treat them as fatal.
    worker.on("error", () => {});
    return worker;
  });
  return {
    async ready() {
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      // BullMQ leaves connections it was given open; they are ours to end.
      for (const workerConnection of connections) workerConnection.disconnect();
    },
  };
}
