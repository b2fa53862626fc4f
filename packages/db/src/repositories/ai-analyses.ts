import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { AiAnalysisRow, AiPriority } from "../schema-ai.ts";

export interface StoredAnalysis {
  messageId: string;
  userId: string;
  accountId: string;
  priority: AiPriority;
  category: string;
  needsReply: boolean;
  summary: string;
  actionItems: { text: string; due: string | null }[];
  reasons: string[];
  provider: string;
  model: string;
}

/** Stores (or replaces) a message's analysis. */
/** Stores a ready analysis (over a failure or an older one) and returns the row as stored. */
export async function saveAnalysis(db: Executor, analysis: StoredAnalysis): Promise<AiAnalysisRow> {
  const values = {
    status: "ready" as const,
    priority: analysis.priority,
    category: analysis.category,
    needs_reply: analysis.needsReply,
    summary: analysis.summary,
    action_items: JSON.stringify(analysis.actionItems),
    reasons: JSON.stringify(analysis.reasons),
    provider: analysis.provider,
    model: analysis.model,
    last_error: null,
  };
  return db
    .insertInto("ai_analyses")
    .values({ message_id: analysis.messageId, user_id: analysis.userId, account_id: analysis.accountId, ...values })
    .onConflict((oc) =>
      oc.column("message_id").doUpdateSet({ ...values, created_at: sql`now()`, updated_at: sql`now()` }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Records that analysing a message failed, so it is retried later and the UI can say so. A failure
 * never replaces an analysis that is already there.
 */
export async function recordAnalysisFailure(
  db: Executor,
  failure: { messageId: string; userId: string; accountId: string; provider: string; model: string; error: string },
): Promise<void> {
  await db
    .insertInto("ai_analyses")
    .values({
      message_id: failure.messageId,
      user_id: failure.userId,
      account_id: failure.accountId,
      status: "failed",
      provider: failure.provider,
      model: failure.model,
      last_error: failure.error.slice(0, 1000),
    })
    .onConflict((oc) =>
      oc
        .column("message_id")
        .doUpdateSet({
          attempts: sql`ai_analyses.attempts + 1`,
          last_error: failure.error.slice(0, 1000),
          updated_at: sql`now()`,
        })
        .where("ai_analyses.status", "=", "failed"),
    )
    .execute();
}

/** The analysis row of one of the user's messages (ready or failed). */
export function findAnalysis(db: Executor, userId: string, messageId: string): Promise<AiAnalysisRow | undefined> {
  return db
    .selectFrom("ai_analyses")
    .selectAll()
    .where("user_id", "=", userId)
    .where("message_id", "=", messageId)
    .executeTakeFirst();
}

/** What recordAnalysisFailure stores when the user's monthly budget refused the call. */
export const BUDGET_EXCEEDED_ERROR = "AI_BUDGET_EXCEEDED";

/**
 * Failed analyses due for another try, oldest first. A failure for a spent budget is due only once
 * its budget period is over (`budgetFailuresBefore`, the current period's start): trying again in
 * the same month would only fail again.
 */
export function failedAnalysesDue(
  db: Executor,
  options: { lastTriedBefore: Date; maxAttempts: number; limit: number; budgetFailuresBefore?: Date },
): Promise<Pick<AiAnalysisRow, "message_id" | "user_id" | "account_id" | "attempts">[]> {
  const { budgetFailuresBefore } = options;
  return db
    .selectFrom("ai_analyses")
    .select(["message_id", "user_id", "account_id", "attempts"])
    .where("status", "=", "failed")
    .where("updated_at", "<", options.lastTriedBefore)
    .where("attempts", "<", options.maxAttempts)
    .$if(budgetFailuresBefore !== undefined, (query) =>
      query.where((eb) =>
        eb.or([
          eb("last_error", "is", null),
          eb("last_error", "!=", BUDGET_EXCEEDED_ERROR),
          eb("updated_at", "<", budgetFailuresBefore ?? new Date(0)),
        ]),
      ),
    )
    .orderBy("updated_at")
    .limit(options.limit)
    .execute();
}

/** Messages have no foreign key to this table yet (see the migration), so their removal calls this. */
export async function deleteAnalyses(db: Executor, messageIds: readonly string[]): Promise<number> {
  if (messageIds.length === 0) return 0;
  const result = await db.deleteFrom("ai_analyses").where("message_id", "in", messageIds).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A cached thread summary, only if it was made for this version of the thread. */
export async function findThreadSummary(
  db: Executor,
  userId: string,
  threadId: string,
  threadVersion: string,
): Promise<unknown | undefined> {
  const row = await db
    .selectFrom("ai_thread_summaries")
    .select("summary")
    .where("user_id", "=", userId)
    .where("thread_id", "=", threadId)
    .where("thread_version", "=", threadVersion)
    .executeTakeFirst();
  return row?.summary;
}

export async function saveThreadSummary(
  db: Executor,
  entry: { userId: string; threadId: string; threadVersion: string; summary: unknown },
): Promise<void> {
  const values = { thread_version: entry.threadVersion, summary: JSON.stringify(entry.summary) };
  await db
    .insertInto("ai_thread_summaries")
    .values({ thread_id: entry.threadId, user_id: entry.userId, ...values })
    .onConflict((oc) => oc.column("thread_id").doUpdateSet({ ...values, created_at: sql`now()` }))
    .execute();
}

/**
 * The user's own correction ("correct this") written over a message's ready analysis, so the marks
 * they fixed stay fixed; fields left undefined keep the analysis' value. Returns whether one was there.
 */
export async function correctAnalysis(
  db: Executor,
  userId: string,
  messageId: string,
  correction: {
    priority?: AiPriority | undefined;
    category?: string | undefined;
    needsReply?: boolean | undefined;
    reasons: string[];
  },
): Promise<boolean> {
  const result = await db
    .updateTable("ai_analyses")
    .set({
      ...(correction.priority === undefined ? {} : { priority: correction.priority }),
      ...(correction.category === undefined ? {} : { category: correction.category }),
      ...(correction.needsReply === undefined ? {} : { needs_reply: correction.needsReply }),
      reasons: JSON.stringify(correction.reasons),
      updated_at: sql`now()`,
    })
    .where("user_id", "=", userId)
    .where("message_id", "=", messageId)
    .where("status", "=", "ready")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
