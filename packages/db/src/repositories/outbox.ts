import type { Executor } from "../executor.ts";
import type { OutboxRow } from "../schema.ts";

export interface NewOutboxJob {
  queue: string;
  jobName: string;
  payload: unknown;
}

/** Call inside the transaction of the change that causes the job: both commit or neither does. */
export async function insertOutboxJob(db: Executor, job: NewOutboxJob): Promise<string> {
  const row = await db
    .insertInto("outbox")
    .values({ queue: job.queue, job_name: job.jobName, payload: JSON.stringify(job.payload) })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The oldest waiting rows, locked so that concurrent relays (one per worker) never take the same. */
export function lockOutboxBatch(trx: Executor, limit: number): Promise<OutboxRow[]> {
  return trx.selectFrom("outbox").selectAll().orderBy("created_at").limit(limit).forUpdate().skipLocked().execute();
}

export async function deleteOutboxRows(trx: Executor, ids: string[]): Promise<void> {
  if (ids.length) await trx.deleteFrom("outbox").where("id", "in", ids).execute();
}

export async function recordOutboxFailure(trx: Executor, ids: string[], error: string): Promise<void> {
  if (!ids.length) return;
  await trx
    .updateTable("outbox")
    .set((eb) => ({ relay_attempts: eb("relay_attempts", "+", 1), last_error: error.slice(0, 2000) }))
    .where("id", "in", ids)
    .execute();
}

export async function countOutboxBacklog(db: Executor): Promise<number> {
  const row = await db
    .selectFrom("outbox")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
