import { carryMailAction, type MailActionDeps } from "@tidings/mail";
import type { Job } from "../definitions.ts";

export type MailActionProcessorDeps = MailActionDeps;

/**
 * `mail` queue: carries a user's change (`mail.update`, applied locally already) to the IMAP server.
 * An unreachable server throws (MailActionRetry), so the job is retried; a refusal, or the last try
 * failing, puts the local state back and tells the user (carryMailAction), and the job ends there.
 */
export function createMailActionProcessor(deps: MailActionProcessorDeps) {
  return async (job: Job<"mail">) => {
    switch (job.name) {
      case "apply-action":
        return carryMailAction(deps, job.data, { lastAttempt: job.lastAttempt });
    }
  };
}
