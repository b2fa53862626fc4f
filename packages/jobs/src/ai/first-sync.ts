import { type Database, findMailAccount, type Kysely, recentInboxMessagesWithoutAnalysis } from "@tidings/db";
import type { JobProducer } from "../producer.ts";

/**
 * How many messages of an account's first sync are analysed: the newest of its inbox, inside the
 * sync window. Enough to sort what the user sees first; a mailbox of years never becomes thousands
 * of provider calls (or a month's budget) on the day it is added.
 */
export const firstSyncAnalysesPerAccount = 50;

/** BullMQ priority of first-sync analyses: after every new message (which has none), in turn. */
const FIRST_SYNC_PRIORITY = 10;

/**
 * Queues the analyses of an account's first sync (AccountRunnerDeps.onFirstSyncStored). They run
 * behind new mail and in at most half the ai queue's slots (the processor's background lane), taking
 * turns between users. Messages analysed or queued already are not queued twice (same job id as
 * new mail's). Answers the ids queued.
 */
export async function queueFirstSyncAnalyses(
  db: Kysely<Database>,
  producer: JobProducer,
  account: { userId: string; accountId: string },
  options: { limit?: number; now?: Date } = {},
): Promise<string[]> {
  const row = await findMailAccount(db, account.userId, account.accountId);
  if (!row) return [];
  const now = options.now ?? new Date();
  const messageIds = await recentInboxMessagesWithoutAnalysis(db, {
    ...account,
    since: new Date(now.getTime() - row.sync_days * 86_400_000),
    limit: options.limit ?? firstSyncAnalysesPerAccount,
  });
  for (const messageId of messageIds) {
    await producer.enqueue(
      "ai",
      "analyze",
      { userId: account.userId, messageId, firstSync: true },
      { jobId: `analyze-${messageId}`, priority: FIRST_SYNC_PRIORITY },
    );
  }
  return messageIds;
}
