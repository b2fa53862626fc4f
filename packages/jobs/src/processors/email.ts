import {
  type Executor,
  findEmailDelivery,
  markEmailAttemptFailed,
  markEmailSent,
  startEmailAttempt,
} from "@tidings/db";
import { isPermanentSendError, type MailTransport, render } from "@tidings/email";
import { type Job, PermanentJobError } from "../definitions.ts";

export interface EmailProcessorDeps {
  db: Executor;
  transport: MailTransport;
  appUrl: string;
  from: string;
}

/**
 * Renders and sends one email job and records the delivery. The Message-ID derives from the job
 * id, so a retry after a crash carries the same id as the first try, and a job already recorded
 * as sent is not sent again.
 */
export function createEmailProcessor(deps: EmailProcessorDeps) {
  const domain = new URL(deps.appUrl).hostname;
  return async (job: Job<"email">) => {
    const { template, to, data } = job.data;
    const messageId = `<${job.id}@${domain}>`;
    const existing = await findEmailDelivery(deps.db, job.id);
    if (existing?.status === "sent") return { status: "already-sent", messageId };

    await startEmailAttempt(deps.db, { id: job.id, template, recipient: to, messageId });
    // Payloads were validated against the template's schema when written to the outbox.
    const email = await render(template, data as never, { appUrl: deps.appUrl });
    try {
      await deps.transport.send({ from: deps.from, to, messageId, ...email });
    } catch (error) {
      const permanent = isPermanentSendError(error);
      const message = error instanceof Error ? error.message : String(error);
      await markEmailAttemptFailed(deps.db, job.id, message, permanent || job.lastAttempt);
      if (permanent) throw new PermanentJobError(message);
      throw error;
    }
    await markEmailSent(deps.db, job.id);
    return { status: "sent", messageId };
  };
}
