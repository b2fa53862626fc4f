import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { AiPriority } from "../schema-ai.ts";

/**
 * The user's learned state, locked until the transaction ends so that concurrent lessons are
 * applied one after the other instead of overwriting each other. Undefined before the first lesson.
 */
export async function lockLocalModel(
  trx: Executor,
  userId: string,
): Promise<{ state: unknown; samples: number } | undefined> {
  return trx
    .selectFrom("ai_local_models")
    .select(["state", "samples"])
    .where("user_id", "=", userId)
    .forUpdate()
    .executeTakeFirst();
}

/** Creates the user's row with `state` unless it exists (so it can be locked); never overwrites. */
export async function ensureLocalModel(db: Executor, userId: string, state: unknown): Promise<void> {
  await db
    .insertInto("ai_local_models")
    .values({ user_id: userId, state: JSON.stringify(state), samples: 0 })
    .onConflict((oc) => oc.column("user_id").doNothing())
    .execute();
}

/** The state for predictions (no lock). */
export function findLocalModel(db: Executor, userId: string): Promise<{ state: unknown; samples: number } | undefined> {
  return db.selectFrom("ai_local_models").select(["state", "samples"]).where("user_id", "=", userId).executeTakeFirst();
}

export async function saveLocalModel(db: Executor, userId: string, state: unknown, samples: number): Promise<void> {
  const values = { state: JSON.stringify(state), samples };
  await db
    .insertInto("ai_local_models")
    .values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ ...values, updated_at: sql`now()` }))
    .execute();
}

/** What the user told us (or did) about a message; kept so a model can be rebuilt from it. */
export async function recordAiFeedback(
  db: Executor,
  feedback: {
    userId: string;
    messageId: string;
    source: string;
    priority?: AiPriority | undefined;
    category?: string | undefined;
    needsReply?: boolean | undefined;
  },
): Promise<void> {
  await db
    .insertInto("ai_feedback")
    .values({
      user_id: feedback.userId,
      message_id: feedback.messageId,
      source: feedback.source,
      priority: feedback.priority ?? null,
      category: feedback.category ?? null,
      needs_reply: feedback.needsReply ?? null,
    })
    .execute();
}

/** Which of these messages already taught the user's model from `source` (a behaviour is learned once). */
export async function messagesWithFeedbackFrom(
  db: Executor,
  userId: string,
  source: string,
  messageIds: readonly string[],
): Promise<Set<string>> {
  if (!messageIds.length) return new Set();
  const rows = await db
    .selectFrom("ai_feedback")
    .select("message_id")
    .where("user_id", "=", userId)
    .where("source", "=", source)
    .where("message_id", "in", [...messageIds])
    .execute();
  return new Set(rows.map((row) => row.message_id));
}
