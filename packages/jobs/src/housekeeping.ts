import { type Executor, type PrunedCounts, pruneStaleRows } from "@tidings/db";

export interface HousekeepingOptions {
  db: Executor;
  /** Between passes; default an hour (what it deletes is at least an hour stale anyway). */
  intervalMs?: number;
  /** The first pass, after start-up has settled; default a minute. */
  firstDelayMs?: number;
  onPruned?: (counts: PrunedCounts) => void;
  onError?: (error: unknown) => void;
}

export interface Housekeeping {
  /** One pass now (also what the timer runs). */
  runOnce(): Promise<PrunedCounts | undefined>;
  stop(): Promise<void>;
}

/**
 * Deletes stale rows (unused uploads, expired OAuth requests and WebAuthn challenges) every hour,
 * in every worker process and in the embedded server: the deletes are idempotent, so several
 * processes doing it at once cost a few empty statements and need no election.
 */
export function startHousekeeping(options: HousekeepingOptions): Housekeeping {
  const intervalMs = options.intervalMs ?? 60 * 60 * 1000;
  let running: Promise<PrunedCounts | undefined> | undefined;
  let stopped = false;

  const runOnce = () => {
    running ??= pruneStaleRows(options.db)
      .then((counts) => {
        if (counts.uploads + counts.oauthStates + counts.webauthnChallenges > 0) options.onPruned?.(counts);
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
