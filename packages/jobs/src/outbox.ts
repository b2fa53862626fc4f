import { type Executor, insertOutboxJob } from "@tidings/db";
import type { TemplateData, TemplateName } from "@tidings/email";
import { type JobData, type JobName, type QueueName, toJob } from "./definitions.ts";

/**
 * Writes a job to the outbox. Call it with the transaction of the change that causes the job, so
 * the job exists exactly when the change does; the relay enqueues it (with the row id as job id).
 */
export async function addToOutbox<Q extends QueueName, N extends JobName<Q>>(
  db: Executor,
  queue: Q,
  name: N,
  data: JobData<Q, N>,
): Promise<string> {
  const { data: payload } = toJob(queue, { id: "", name, data, attempt: 0 });
  return insertOutboxJob(db, { queue, jobName: name, payload });
}

/** Sends a transactional email through the outbox. */
export function queueEmail<T extends TemplateName>(
  db: Executor,
  email: { template: T; to: string; data: TemplateData<T> },
): Promise<string> {
  return addToOutbox(db, "email", "send", {
    template: email.template,
    to: email.to,
    data: email.data as Record<string, unknown>,
  });
}
