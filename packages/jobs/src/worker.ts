import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { type Processors, type QueueName, queueNames, runProcessor, toJob } from "./definitions.ts";

export interface WorkerEvents {
  onCompleted?(queue: QueueName, jobId: string, name: string): void;
  onFailed?(queue: QueueName, jobId: string | undefined, name: string | undefined, error: Error): void;
}

export interface RunningWorkers {
  /** Waits for the jobs in progress, then disconnects. */
  close(): Promise<void>;
}

/** A BullMQ worker per queue, each with its own blocking connection (BullMQ requires that). */
export function startBullWorkers(
  processors: Processors,
  connection: Redis,
  prefix: string,
  events: WorkerEvents = {},
): RunningWorkers {
  const connections: Redis[] = [];
  const workers = queueNames.map((queue) => {
    const workerConnection = connection.duplicate({ maxRetriesPerRequest: null });
    connections.push(workerConnection);
    const worker = new Worker(
      queue,
      async (job) =>
        runProcessor(
          processors,
          toJob(queue, { id: job.id ?? "", name: job.name, data: job.data, attempt: job.attemptsMade + 1 }),
        ),
      { connection: workerConnection, prefix },
    );
    worker.on("completed", (job) => events.onCompleted?.(queue, job.id ?? "", job.name));
    worker.on("failed", (job, error) => events.onFailed?.(queue, job?.id, job?.name, error));
    // Connection errors are retried by ioredis; without a listener Node would treat them as fatal.
    worker.on("error", () => {});
    return worker;
  });
  return {
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      // BullMQ leaves connections it was given open; they are ours to end.
      for (const workerConnection of connections) workerConnection.disconnect();
    },
  };
}
