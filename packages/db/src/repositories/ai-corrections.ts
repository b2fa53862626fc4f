import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { AiPriority } from "../schema-ai.ts";

export interface AnalysisCorrection {
  priority?: AiPriority | undefined;
  category?: string | undefined;
  needsReply?: boolean | undefined;
}

/**
 * The user's word on a message replaces what the analysis said, so the reading pane and the list
 * show the correction from then on. Only a ready analysis is changed; a missing or failed one is
 * left for the pipeline.
 */
export async function correctAnalysis(
  db: Executor,
  userId: string,
  messageId: string,
  correction: AnalysisCorrection,
): Promise<void> {
  const changes = {
    ...(correction.priority !== undefined ? { priority: correction.priority } : {}),
    ...(correction.category !== undefined ? { category: correction.category } : {}),
    ...(correction.needsReply !== undefined ? { needs_reply: correction.needsReply } : {}),
  };
  if (Object.keys(changes).length === 0) return;
  await db
    .updateTable("ai_analyses")
    .set({ ...changes, updated_at: sql`now()` })
    .where("user_id", "=", userId)
    .where("message_id", "=", messageId)
    .where("status", "=", "ready")
    .execute();
}
