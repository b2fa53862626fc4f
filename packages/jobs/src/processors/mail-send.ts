import type { Database, Kysely } from "@tidings/db";
import { parseAllowedPrivateHosts, SendFailure, sendOutgoing, storeDraftCopy } from "@tidings/mail";
import { type Job, PermanentJobError } from "../definitions.ts";

export interface MailSendProcessorDeps {
  db: Kysely<Database>;
  /** Opens the accounts' sealed passwords (S23). */
  encryptionKey: Buffer;
  /** MAIL_ALLOWED_PRIVATE_HOSTS as configured (S24). */
  allowedPrivateHosts: readonly string[];
}

/** Sending (after the undo window) and filing drafts, through the account's own servers. */
export function createMailSendProcessor(deps: MailSendProcessorDeps) {
  const access = {
    db: deps.db,
    encryptionKey: deps.encryptionKey,
    limits: { allowedPrivateHosts: parseAllowedPrivateHosts(deps.allowedPrivateHosts) },
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
