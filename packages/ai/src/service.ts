import { createHash } from "node:crypto";
import {
  type AiAnalysisRow,
  BUDGET_EXCEEDED_ERROR,
  type Database,
  type Executor,
  ensureLocalModel,
  findLocalModel,
  findThreadSummary,
  type Kysely,
  lockLocalModel,
  messagesWithFeedbackFrom,
  recordAiFeedback,
  recordAnalysisFailure,
  saveAnalysis,
  saveLocalModel,
  saveThreadSummary,
} from "@tidings/db";
import type { EmailForAnalysis, RecipientContext } from "./email.ts";
import { AiBudgetExceededError, AiProviderError } from "./errors.ts";
import {
  type Example,
  emptyLocalModelState,
  type Lesson,
  type LocalModelState,
  learn,
  localModelStateSchema,
  type Predictor,
  predictor,
} from "./local/learned-model.ts";
import {
  behaviourExample,
  exampleFrom,
  feedbackWeight,
  lessonFromBehaviour,
  type UserBehaviour,
} from "./local/local-provider.ts";
import type { AiProvider, CallContext } from "./provider.ts";
import type { Analysis, ThreadSummary } from "./schemas.ts";

/**
 * Analyses one message and stores the result. A provider failure or a spent budget is stored as a
 * failed analysis (kept for a retry, shown as such) and rethrown; it never replaces an analysis
 * that is already there.
 */
export async function analyzeAndStore(db: Executor, request: AnalyzeRequest): Promise<Analysis> {
  return (await analyzeAndSave(db, request)).analysis;
}

type AnalyzeRequest = {
  userId: string;
  email: EmailForAnalysis;
  provider: AiProvider;
  context: CallContext;
  model: string;
};

/** analyzeAndStore, also answering the row as stored (the ai queue publishes it without reading it back). */
export async function analyzeAndSave(
  db: Executor,
  request: AnalyzeRequest,
): Promise<{ analysis: Analysis; row: AiAnalysisRow }> {
  const { email, userId } = request;
  try {
    const analysis = await request.provider.analyze(email, request.context);
    const row = await saveAnalysis(db, {
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
    return { analysis, row };
  } catch (error) {
    if (error instanceof AiProviderError || error instanceof AiBudgetExceededError) {
      await recordAnalysisFailure(db, {
        messageId: email.id,
        userId,
        accountId: email.accountId,
        provider: request.provider.kind,
        model: request.model,
        error: error instanceof AiBudgetExceededError ? BUDGET_EXCEEDED_ERROR : `${error.reason}: ${error.message}`,
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
 * Applies examples to the user's model in one transaction with the model's row locked, so
 * concurrent lessons are applied one after the other instead of overwriting each other.
 */
async function teach(
  trx: Executor,
  userId: string,
  examples: readonly Example[],
  record: (trx: Executor) => Promise<void>,
): Promise<LocalModelState> {
  // The row must exist to be locked; creating it never overwrites a concurrent first lesson.
  await ensureLocalModel(trx, userId, emptyLocalModelState);
  const locked = await lockLocalModel(trx, userId);
  const parsed = localModelStateSchema.safeParse(locked?.state);
  const current = parsed.success ? parsed.data : emptyLocalModelState;
  const next = examples.length ? learn(current, examples) : current;
  await saveLocalModel(trx, userId, next, next.samples);
  await record(trx);
  return next;
}

/**
 * Teaches the user's local model one lesson the user gave (counted feedbackWeight times unless
 * told otherwise) and keeps a record of it.
 */
export async function learnAndStore(
  db: Kysely<Database>,
  request: {
    userId: string;
    email: EmailForAnalysis;
    recipient: RecipientContext;
    lesson: Lesson;
    source: string;
    weight?: number;
  },
): Promise<LocalModelState> {
  const example = exampleFrom(request.email, request.recipient, request.lesson, request.weight ?? feedbackWeight);
  return db.transaction().execute((trx) =>
    teach(trx, request.userId, [example], (trx) =>
      recordAiFeedback(trx, {
        userId: request.userId,
        messageId: request.email.id,
        source: request.source,
        ...request.lesson,
      }),
    ),
  );
}

/** The ai_feedback source of what a behaviour taught (one row per message and behaviour). */
export const behaviourSource = (behaviour: UserBehaviour) => `behaviour:${behaviour}`;

/**
 * Teaches the user's local model what one behaviour on these messages implies, as implicit
 * examples at that behaviour's weight (behaviourWeights). A message teaches a behaviour once: starring, unstarring and
 * starring again is one lesson. Answers the ids it learned from.
 */
export async function learnBehaviourAndStore(
  db: Kysely<Database>,
  request: {
    userId: string;
    behaviour: UserBehaviour;
    messages: readonly { email: EmailForAnalysis; recipient: RecipientContext }[];
  },
): Promise<string[]> {
  if (!request.messages.length) return [];
  const source = behaviourSource(request.behaviour);
  const lesson = lessonFromBehaviour(request.behaviour);
  return db.transaction().execute(async (trx) => {
    // The check runs under the model's row lock, so two jobs for the same action cannot both learn it.
    await ensureLocalModel(trx, request.userId, emptyLocalModelState);
    await lockLocalModel(trx, request.userId);
    const known = await messagesWithFeedbackFrom(
      trx,
      request.userId,
      source,
      request.messages.map(({ email }) => email.id),
    );
    const fresh = request.messages.filter(({ email }) => !known.has(email.id));
    const examples = fresh.map(({ email, recipient }) => behaviourExample(email, recipient, request.behaviour));
    await teach(trx, request.userId, examples, async (trx) => {
      for (const { email } of fresh) {
        await recordAiFeedback(trx, { userId: request.userId, messageId: email.id, source, ...lesson });
      }
    });
    return fresh.map(({ email }) => email.id);
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
