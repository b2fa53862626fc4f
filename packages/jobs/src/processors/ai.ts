import { AiBudgetExceededError } from "@tidings/ai";
import type { MailEventBus } from "@tidings/mail";
import { analyzeMessage } from "../ai/analyze.ts";
import { learnFromBehaviour } from "../ai/behaviour.ts";
import { createFairScheduler } from "../ai/fair-scheduler.ts";
import type { AiDeps } from "../ai/user-ai.ts";
import { type Job, PermanentJobError } from "../definitions.ts";

export type AiProcessorDeps = AiDeps & {
  events: MailEventBus;
  /** Analyses running at once in this process, shared fairly between users. */
  concurrency: number;
};

/**
 * `ai` queue: analyses new mail. The provider calls of all users share `concurrency` slots and take
 * turns per user. A provider failure is recorded on the message (the UI says it is pending a retry)
 * and thrown, so the job is tried again with backoff; a spent budget is recorded and ends the job
 * (trying again before the month ends cannot help). `learn` teaches the user's local model what
 * they did with their mail (no provider call, so it takes no slot).
 */
export function createAiProcessor(deps: AiProcessorDeps) {
  // A deck as large as the slots: the next calls reserve their budget while the slots are busy.
  const scheduler = createFairScheduler(deps.concurrency, { deck: deps.concurrency });
  return async (job: Job<"ai">) => {
    switch (job.name) {
      case "analyze": {
        const background = job.data.firstSync === true;
        const scheduleCall = <T>(userId: string, work: () => Promise<T>, prepare?: () => Promise<void>) =>
          scheduler.run(userId, work, { background, prepare });
        try {
          const outcome = await analyzeMessage({ ...deps, scheduleCall }, job.data.userId, job.data.messageId);
          return { status: outcome.status };
        } catch (error) {
          if (error instanceof AiBudgetExceededError) throw new PermanentJobError("AI_BUDGET_EXCEEDED");
          throw error;
        }
      }
      case "learn": {
        const learned = await learnFromBehaviour(deps.db, job.data);
        return { learned: learned.length };
      }
    }
  };
}
