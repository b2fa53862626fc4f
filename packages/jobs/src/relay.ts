import { type Database, deleteOutboxRows, type Kysely, lockOutboxBatch, recordOutboxFailure } from "@tidings/db";
import { isQueueName } from "./definitions.ts";
import type { JobProducer, RawJob } from "./producer.ts";

export interface RelayOptions {
  db: Kysely<Database>;
  producer: JobProducer;
  /** Pause between polls when the outbox was empty or the queue unreachable. */
  idleMs?: number;
  batchSize?: number;
  /** A queue that does not answer within this time counts as unreachable; the rows wait. */
  enqueueTimeoutMs?: number;
  onError?: (error: unknown) => void;
}

export interface OutboxRelay {
  /** Runs one batch now; resolves with the number of rows moved. */
  drain(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Moves outbox rows to the queue. Rows are locked (SKIP LOCKED) so several relays can run; a row
 * is deleted only after the queue accepted its job, and the job id is the row id, so a crash
 * between the two enqueues the job again under the same id, which the queue ignores.
 */
export function startOutboxRelay(options: RelayOptions): OutboxRelay {
  const { db, producer, idleMs = 200, batchSize = 500, enqueueTimeoutMs = 5_000, onError = () => {} } = options;
  let stopped = false;
  let wake: (() => void) | undefined;

  const moveBatch = () =>
    db.transaction().execute(async (trx) => {
      const rows = await lockOutboxBatch(trx, batchSize);
      const jobs: RawJob[] = [];
      const unknownIds: string[] = [];
      for (const row of rows) {
        if (isQueueName(row.queue))
          jobs.push({ queue: row.queue, name: row.job_name, data: row.payload, jobId: row.id });
        // Written by a newer version whose worker is not running yet: leave it for that worker.
        else unknownIds.push(row.id);
      }
      await recordOutboxFailure(trx, unknownIds, "no worker knows this queue");
      if (!jobs.length) return 0;
      const ids = jobs.map((job) => job.jobId);
      try {
        await withTimeout(producer.enqueueMany(jobs), enqueueTimeoutMs);
      } catch (error) {
        // The rows stay (with the error noted) and go out on a later pass, under the same job ids.
        await recordOutboxFailure(trx, ids, String(error));
        onError(error);
        return 0;
      }
      await deleteOutboxRows(trx, ids);
      return ids.length;
    });

  const loop = (async () => {
    while (!stopped) {
      let moved = 0;
      try {
        moved = await moveBatch();
      } catch (error) {
        onError(error);
      }
      if (moved === 0 && !stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idleMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  })();

  return {
    drain: moveBatch,
    async close() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`queue did not accept the jobs within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
