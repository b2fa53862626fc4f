import { type Database, type Kysely, listPendingMailOutgoing } from "@tidings/db";
import { type MailEventBus, parseAllowedPrivateHosts, SendFailure, sendOutgoing, storeDraftCopy } from "@tidings/mail";
import { type Job, PermanentJobError } from "../definitions.ts";
import type { JobProducer } from "../producer.ts";

export interface MailSendProcessorDeps {
  db: Kysely<Database>;
  /** Opens the accounts' sealed passwords (S23). */
  encryptionKey: Buffer;
  /** MAIL_ALLOWED_PRIVATE_HOSTS as configured (S24). */
  allowedPrivateHosts: readonly string[];
  /** Tells users a message was sent or failed; the process's mail event bus, where it has one. */
  events?: MailEventBus;
}

/** Sending (after the undo window) and filing drafts, through the account's own servers. */
export function createMailSendProcessor(deps: MailSendProcessorDeps) {
  const access = {
    db: deps.db,
    encryptionKey: deps.encryptionKey,
    limits: { allowedPrivateHosts: parseAllowedPrivateHosts(deps.allowedPrivateHosts) },
    events: deps.events,
  };
  return async (job: Job<"mail-send">) => {
    switch (job.name) {
      case "send":
        try {
          return { status: await sendOutgoing(access, job.data.outgoingId, { lastAttempt: job.lastAttempt }) };
        } catch (error) {
          if (error instanceof SendFailure && error.permanent) throw new PermanentJobError(error.message);
          throw error;
        }
      case "draft":
        return { status: await storeDraftCopy(access, job.data.draftId) };
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
