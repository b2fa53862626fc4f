import { AiBudgetExceededError, analyzeAndStore } from "@tidings/ai";
import { type AiAnalysisRow, findAnalysis, findMessageForAi } from "@tidings/db";
import type { MailEventBus } from "@tidings/mail";
import { type AiDeps, emailForAi, recipientContextFor, userAi } from "./user-ai.ts";

export type AnalyzeOutcome =
  | { status: "ready"; analysis: AiAnalysisRow }
  | { status: "skipped"; reason: "no-message" | "triage-off" };

/**
 * Analyses one of the user's messages with the user's provider and stores the result (or the
 * failure, for a retry: see analyzeAndStore). A ready analysis is kept unless `force`. Provider
 * errors and a spent budget are thrown after the failure is recorded.
 */
export async function analyzeMessage(
  deps: AiDeps & { events?: MailEventBus; scheduleCall?: <T>(userId: string, work: () => Promise<T>) => Promise<T> },
  userId: string,
  messageId: string,
  options: { force?: boolean } = {},
): Promise<AnalyzeOutcome> {
  const existing = await findAnalysis(deps.db, userId, messageId);
  if (existing?.status === "ready" && !options.force) return { status: "ready", analysis: existing };
  const message = await findMessageForAi(deps.db, userId, messageId);
  if (!message) return { status: "skipped", reason: "no-message" };
  const ai = await userAi(deps, userId);
  if (!ai.settings.features.triage) return { status: "skipped", reason: "triage-off" };
  const email = emailForAi(message, message.attachmentTypes);
  const recipient = await recipientContextFor(deps.db, userId, email);
  const { scheduleCall } = deps;
  await analyzeAndStore(deps.db, {
    userId,
    email,
    provider: ai.provider,
    // Only the provider request waits for a slot (see CallContext.slot).
    context: { meter: ai.meter, recipient, slot: scheduleCall && ((work) => scheduleCall(userId, work)) },
    model: ai.modelFor("triage"),
  });
  const stored = await findAnalysis(deps.db, userId, messageId);
  if (!stored) throw new Error("the analysis was stored but cannot be read back");
  await deps.events
    ?.publish(userId, { type: "analysis.ready", accountId: message.account_id, messageId, threadId: message.thread_id })
    .catch(() => {});
  return { status: "ready", analysis: stored };
}

export { AiBudgetExceededError };
