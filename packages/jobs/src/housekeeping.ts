import { type Executor, type PrunedCounts, pruneStaleRows } from "@tidings/db";
import { queueFailedAnalysisRetries } from "./ai/retry-failed.ts";
import type { JobProducer } from "./producer.ts";

export interface HousekeepingCounts extends PrunedCounts {
  /** Failed AI analyses queued for another round (only with a `producer`). */
  analysesRetried: number;
}

export interface HousekeepingOptions {
  db: Executor;
  /** Between passes; default an hour (what it deletes is at least an hour stale anyway). */
  intervalMs?: number;
  /** The first pass, after start-up has settled; default a minute. */
  firstDelayMs?: number;
  /** Where failed AI analyses due for another round are queued; without it they are left alone. */
  producer?: JobProducer;
  onPruned?: (counts: HousekeepingCounts) => void;
  onError?: (error: unknown) => void;
}

export interface Housekeeping {
  /** One pass now (also what the timer runs). */
  runOnce(): Promise<HousekeepingCounts | undefined>;
  stop(): Promise<void>;
}

/**
 * Deletes stale rows (unused uploads, expired OAuth requests and WebAuthn challenges) and queues
 * failed AI analyses for another round, every hour, in every worker process and in the embedded
 * server: the deletes are idempotent and a round's job id is the same in every process, so several
 * processes doing it at once cost a few empty statements and need no election.
 */
export function startHousekeeping(options: HousekeepingOptions): Housekeeping {
  const intervalMs = options.intervalMs ?? 60 * 60 * 1000;
  let running: Promise<HousekeepingCounts | undefined> | undefined;
  let stopped = false;

  const pass = async (): Promise<HousekeepingCounts> => {
    const pruned = await pruneStaleRows(options.db);
    const analysesRetried = options.producer ? await queueFailedAnalysisRetries(options.db, options.producer) : 0;
    return { ...pruned, analysesRetried };
  };

  const runOnce = () => {
    running ??= pass()
      .then((counts) => {
        const total = counts.uploads + counts.oauthStates + counts.webauthnChallenges + counts.analysesRetried;
        if (total > 0) options.onPruned?.(counts);
        return counts;
      })
      .catch((error: unknown) => {
        options.onError?.(error);
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  let timer: NodeJS.Timeout | undefined;
  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      if (stopped) return;
      void runOnce().then(() => {
        if (!stopped) schedule(intervalMs);
      });
    }, delayMs);
    // Housekeeping never keeps a process alive on its own.
    timer.unref();
  };
  schedule(options.firstDelayMs ?? 60_000);

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
