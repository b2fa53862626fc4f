import { createHash } from "node:crypto";
import {
  type Database,
  type Executor,
  ensureLocalModel,
  findLocalModel,
  findThreadSummary,
  type Kysely,
  lockLocalModel,
  recordAiFeedback,
  recordAnalysisFailure,
  saveAnalysis,
  saveLocalModel,
  saveThreadSummary,
} from "@tidings/db";
import type { EmailForAnalysis, RecipientContext } from "./email.ts";
import { AiBudgetExceededError, AiProviderError } from "./errors.ts";
import {
  emptyLocalModelState,
  type Lesson,
  type LocalModelState,
  localModelStateSchema,
  type Predictor,
  predictor,
} from "./local/learned-model.ts";
import { learnFrom } from "./local/local-provider.ts";
import type { AiProvider, CallContext } from "./provider.ts";
import type { Analysis, ThreadSummary } from "./schemas.ts";

/**
 * Analyses one message and stores the result. A provider failure or a spent budget is stored as a
 * failed analysis (kept for a retry, shown as such) and rethrown; it never replaces an analysis
 * that is already there.
 */
export async function analyzeAndStore(
  db: Executor,
  request: { userId: string; email: EmailForAnalysis; provider: AiProvider; context: CallContext; model: string },
): Promise<Analysis> {
  const { email, userId } = request;
  try {
    const analysis = await request.provider.analyze(email, request.context);
    await saveAnalysis(db, {
      messageId: email.id,
      userId,
      accountId: email.accountId,
      priority: analysis.priority,
      category: analysis.category,
      needsReply: analysis.needsReply,
      summary: analysis.summary,
      actionItems: analysis.actionItems,
      reasons: analysis.reasons,
      provider: analysis.provider,
      model: analysis.model,
    });
    return analysis;
  } catch (error) {
    if (error instanceof AiProviderError || error instanceof AiBudgetExceededError) {
      await recordAnalysisFailure(db, {
        messageId: email.id,
        userId,
        accountId: email.accountId,
        provider: request.provider.kind,
        model: request.model,
        error: error instanceof AiBudgetExceededError ? "AI_BUDGET_EXCEEDED" : `${error.reason}: ${error.message}`,
      });
    }
    throw error;
  }
}

/** The user's learned state (empty before the first lesson, or if what is stored is unreadable). */
export async function loadLocalModel(db: Executor, userId: string): Promise<LocalModelState> {
  const row = await findLocalModel(db, userId);
  const parsed = localModelStateSchema.safeParse(row?.state);
  return parsed.success ? parsed.data : emptyLocalModelState;
}

/** A predictor for the user's local provider. */
export async function loadPredictor(db: Executor, userId: string): Promise<Predictor> {
  return predictor(await loadLocalModel(db, userId));
}

/**
 * Teaches the user's local model one lesson and keeps a record of it, in one transaction with the
 * model's row locked, so concurrent lessons are applied one after the other.
 */
export async function learnAndStore(
  db: Kysely<Database>,
  request: { userId: string; email: EmailForAnalysis; recipient: RecipientContext; lesson: Lesson; source: string },
): Promise<LocalModelState> {
  return db.transaction().execute(async (trx) => {
    // The row must exist to be locked; creating it never overwrites a concurrent first lesson.
    await ensureLocalModel(trx, request.userId, emptyLocalModelState);
    const locked = await lockLocalModel(trx, request.userId);
    const parsed = localModelStateSchema.safeParse(locked?.state);
    const current = parsed.success ? parsed.data : emptyLocalModelState;
    const next = learnFrom(current, request.email, request.recipient, request.lesson);
    await saveLocalModel(trx, request.userId, next, next.samples);
    await recordAiFeedback(trx, {
      userId: request.userId,
      messageId: request.email.id,
      source: request.source,
      ...request.lesson,
    });
    return next;
  });
}

/** Names a thread's content: any message added, removed or replaced gives another version. */
export function threadVersion(thread: readonly Pick<EmailForAnalysis, "id">[]): string {
  const ids = thread.map((email) => email.id).sort();
  return `${ids.length}:${createHash("sha256").update(ids.join("\n")).digest("base64url").slice(0, 22)}`;
}

/** The thread's summary from the cache while the thread is unchanged; otherwise made and cached. */
export async function summarizeThreadCached(
  db: Executor,
  request: { userId: string; threadId: string; thread: EmailForAnalysis[]; provider: AiProvider; context: CallContext },
): Promise<ThreadSummary & { cached: boolean }> {
  const version = threadVersion(request.thread);
  const cached = await findThreadSummary(db, request.userId, request.threadId, version);
  if (cached) return { ...(cached as ThreadSummary), cached: true };
  const summary = await request.provider.summarizeThread(request.thread, request.context);
  await saveThreadSummary(db, { userId: request.userId, threadId: request.threadId, threadVersion: version, summary });
  return { ...summary, cached: false };
}
