import { budgetPeriodStart, type Executor, failedAnalysesDue } from "@tidings/db";
import { retryPolicies } from "../definitions.ts";
import type { JobProducer } from "../producer.ts";

/**
 * A job gives up after its retries (about a quarter of an hour, see retryPolicies.ai); a provider
 * that is down for an afternoon would otherwise leave that mail without an analysis for good. The
 * housekeeping pass queues failed analyses again: each round is one more job with its own retries,
 * so four rounds after the first job's, an analysis is left failed (the UI says so; opening the
 * message asks again).
 */
export const analysisRetryRounds = 4;
/** A failure this recent is still being retried by its job, or just gave up; leave it a while. */
const RETRY_AFTER_MS = 30 * 60 * 1000;
/** Per pass; the next pass takes the rest, so an outage's backlog never floods the queue at once. */
const RETRIES_PER_PASS = 200;

/** Queues another analysis job for failed analyses due for one; answers how many were queued. */
export async function queueFailedAnalysisRetries(
  db: Executor,
  producer: JobProducer,
  now = new Date(),
): Promise<number> {
  const due = await failedAnalysesDue(db, {
    lastTriedBefore: new Date(now.getTime() - RETRY_AFTER_MS),
    maxAttempts: retryPolicies.ai.attempts * (1 + analysisRetryRounds),
    limit: RETRIES_PER_PASS,
    budgetFailuresBefore: new Date(`${budgetPeriodStart(now)}T00:00:00Z`),
  });
  for (const row of due) {
    await producer.enqueue(
      "ai",
      "analyze",
      { userId: row.user_id, messageId: row.message_id },
      // Its own id: the first job's id is still known to the queue (as failed), and the attempt
      // count makes every process's housekeeping pass name the same round the same way.
      { jobId: `analyze-${row.message_id}-retry-${row.attempts}` },
    );
  }
  return due.length;
}
