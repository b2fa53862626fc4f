import { AiBudgetExceededError, analyzeAndSave } from "@tidings/ai";
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
  deps: AiDeps & {
    events?: MailEventBus;
    scheduleCall?: <T>(userId: string, work: () => Promise<T>, prepare?: () => Promise<void>) => Promise<T>;
  },
  userId: string,
  messageId: string,
  options: { force?: boolean } = {},
): Promise<AnalyzeOutcome> {
  const message = await findMessageForAi(deps.db, userId, messageId);
  if (!message || (message.analysisStatus === "ready" && !options.force)) {
    // Already analysed (or the message is gone but its analysis is kept): answer what is stored.
    const existing = await findAnalysis(deps.db, userId, messageId);
    if (existing?.status === "ready" && !options.force) return { status: "ready", analysis: existing };
    if (!message) return { status: "skipped", reason: "no-message" };
  }
  const ai = await userAi(deps, userId);
  if (!ai.settings.features.triage) return { status: "skipped", reason: "triage-off" };
  const email = emailForAi(message, message.attachmentTypes);
  const recipient = await recipientContextFor(deps.db, userId, email, ai.ownAddresses);
  const { scheduleCall } = deps;
  const { row: stored } = await analyzeAndSave(deps.db, {
    userId,
    email,
    provider: ai.provider,
    // Only the provider request waits for a slot (see CallContext.slot).
    context: {
      meter: ai.meter,
      recipient,
      slot: scheduleCall && ((work, prepare) => scheduleCall(userId, work, prepare)),
    },
    model: ai.modelFor("triage"),
  });
  await deps.events
    ?.publish(userId, { type: "analysis.ready", accountId: message.account_id, messageId, threadId: message.thread_id })
    .catch(() => {});
  return { status: "ready", analysis: stored };
}

export { AiBudgetExceededError };
