import type { Processors } from "../definitions.ts";
import { type AiProcessorDeps, createAiProcessor } from "./ai.ts";
import { createEmailProcessor, type EmailProcessorDeps } from "./email.ts";
import { createMailActionProcessor, type MailActionProcessorDeps } from "./mail-actions.ts";
import { createMailSendProcessor, type MailSendProcessorDeps } from "./mail-send.ts";

export type ProcessorDeps = EmailProcessorDeps & {
  /** For the `mail` queue: the database handle, ENCRYPTION_KEY, the address guard and the event bus. */
  mailActions: MailActionProcessorDeps;
  /** For the `mail-send` queue: sending, filing in Sent and Drafts. */
  mailSend: MailSendProcessorDeps;
  /** For the `ai` queue: the users' providers, budgets and the event bus (analysis.ready). */
  ai: AiProcessorDeps;
};

/** What each queue's jobs do; the same functions run in the worker process and in embedded mode. */
export function createProcessors(deps: ProcessorDeps): Processors {
  return {
    email: createEmailProcessor(deps),
    mail: createMailActionProcessor(deps.mailActions),
    "mail-send": createMailSendProcessor(deps.mailSend),
    ai: createAiProcessor(deps.ai),
    maintenance: async (job) => {
      switch (job.name) {
        case "ping":
          return { pong: true, receivedAt: new Date().toISOString() };
      }
    },
  };
}
