import { type Database, type Kysely, listPendingMailOutgoing } from "@tidings/db";
import { type Job, PermanentJobError } from "../definitions.ts";
import type { JobProducer } from "../producer.ts";

/**
 * The work itself lives in @tidings/mail (sendOutgoing, storeDraftCopy), which depends on this
 * package for its tests; the apps hand it in bound to the database, key, guard and event bus.
 */
export interface MailSendProcessorDeps {
  /** Sends one outgoing message; a failure with `permanent: true` is not retried. */
  send(outgoingId: string, attempt: { lastAttempt: boolean }): Promise<string>;
  /** Puts a draft's current revision in the account's Drafts folder. */
  storeDraft(draftId: string): Promise<string>;
}

/** Sending (after the undo window) and filing drafts, through the account's own servers. */
export function createMailSendProcessor(deps: MailSendProcessorDeps) {
  return async (job: Job<"mail-send">) => {
    switch (job.name) {
      case "send":
        try {
          return { status: await deps.send(job.data.outgoingId, { lastAttempt: job.lastAttempt }) };
        } catch (error) {
          if ((error as { permanent?: unknown }).permanent === true) {
            throw new PermanentJobError(error instanceof Error ? error.message : String(error));
          }
          throw error;
        }
      case "draft":
        return { status: await deps.storeDraft(job.data.draftId) };
    }
  };
}

/**
 * Queues again every message not sent yet, each at its own time. For embedded mode, whose queue
 * lives in memory: without this a restart inside the undo window would leave the message queued for
 * ever. The job id is the message id, and the processor sends a message once, so a message that
 * is also still in a queue is not sent twice.
 */
export async function requeuePendingMailSends(db: Kysely<Database>, producer: JobProducer): Promise<number> {
  const pending = await listPendingMailOutgoing(db);
  for (const message of pending) {
    await producer.enqueue(
      "mail-send",
      "send",
      { outgoingId: message.id },
      { jobId: message.id, delayMs: message.send_at.getTime() - Date.now() },
    );
  }
  return pending.length;
}
