import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  acquireMailLeases,
  type Database,
  type Executor,
  type Kysely,
  type MailAccountErrorNotice,
  releaseMailLeases,
  renewMailLeases,
} from "@tidings/db";
import type { AllowedPrivateHosts } from "../address-guard.ts";
import type { MailEventBus } from "../events.ts";
import type { MailOAuthClients } from "../oauth/providers.ts";
import {
  AccountRunner,
  type AccountRunnerDeps,
  type AccountRunnerSettings,
  createSlots,
  type RunnerLog,
} from "./account-runner.ts";
import { defaultBackoff } from "./backoff.ts";

export interface MailSyncWorkerOptions {
  db: Kysely<Database>;
  events: MailEventBus;
  encryptionKey: Buffer;
  /** `config.mail.oauth`, for OAuth2 accounts' token refreshes (XOAUTH2); unset: only password accounts work. */
  oauthClients?: MailOAuthClients;
  allowedPrivateHosts: AllowedPrivateHosts;
  /** `config.mail`'s settings; the rest of AccountRunnerSettings may be overridden (tests). */
  settings: {
    leaseSeconds: number;
    workerMaxAccounts: number;
    pollSeconds: number;
    fullSyncMinutes: number;
  } & Partial<AccountRunnerSettings>;
  queueErrorEmail(trx: Executor, notice: MailAccountErrorNotice): Promise<unknown>;
  log: RunnerLog;
  /** Each message that arrived after an account's first sync (see AccountRunnerDeps.onNewMessage). */
  onNewMessage?: AccountRunnerDeps["onNewMessage"];
  /** After a pass that stored mail by a folder's first sync (see AccountRunnerDeps.onFirstSyncStored). */
  onFirstSyncStored?: AccountRunnerDeps["onFirstSyncStored"];
  /** Names this process in `lease_owner`; default host, pid and a random part. */
  workerId?: string;
}

export interface MailSyncWorker {
  workerId: string;
  /** The accounts this worker runs now. */
  heldAccounts(): string[];
  /** Stops every runner and gives the leases back, so another worker takes them at once. */
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;
/**
 * Connecting passes (a first sync can fetch thousands of messages) one worker runs at once; the
 * rest wait their turn, so a worker that takes hundreds of accounts at start does not open hundreds
 * of fetches together. Live passes are small and not limited.
 */
const CONNECTING_PASSES_AT_ONCE = 8;

/**
 * The accounts of one process: every third of the lease time it renews the leases it holds (and
 * stops the runners of accounts it lost: removed, paused, taken over after a stall), then takes
 * free accounts up to `workerMaxAccounts`, each with an AccountRunner. A process that dies stops
 * renewing, and its accounts go to other workers once their leases run out.
 */
export function startMailSyncWorker(options: MailSyncWorkerOptions): MailSyncWorker {
  const { db, settings, log } = options;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const leaseMs = settings.leaseSeconds * 1000;
  const runnerSettings: AccountRunnerSettings = {
    pollMs: settings.pollMs ?? settings.pollSeconds * 1000,
    fullSyncMs: settings.fullSyncMs ?? settings.fullSyncMinutes * 60_000,
    backoff: settings.backoff ?? defaultBackoff,
    authRetryMs: settings.authRetryMs ?? HOUR_MS,
    errorNoticeMs: settings.errorNoticeMs ?? HOUR_MS,
  };
  const runners = new Map<string, AccountRunner>();
  const firstPassSlots = createSlots(CONNECTING_PASSES_AT_ONCE);
  const stopping = new Set<Promise<void>>();
  let lastRenewal = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const stopRunner = (accountId: string) => {
    const runner = runners.get(accountId);
    if (!runner) return;
    runners.delete(accountId);
    const stopped = runner.stop().finally(() => stopping.delete(stopped));
    stopping.add(stopped);
  };

  const tick = async () => {
    const held = [...runners.keys()];
    try {
      const kept = await renewMailLeases(db, workerId, held, settings.leaseSeconds);
      lastRenewal = Date.now();
      const keptIds = new Set(kept.map((row) => row.id));
      const lost = held.filter((id) => !keptIds.has(id));
      for (const id of lost) stopRunner(id);
      if (lost.length) {
        log.info({ workerId, accounts: lost }, "mail accounts no longer held (removed, paused or taken over)");
        // A paused account is still ours on paper; let it go so it is not held until expiry.
        await releaseMailLeases(db, workerId, lost);
      }
      for (const row of kept) runners.get(row.id)?.update(row);
      if (closed) return;
      const taken = await acquireMailLeases(db, {
        owner: workerId,
        seconds: settings.leaseSeconds,
        limit: settings.workerMaxAccounts - runners.size,
      });
      if (closed) {
        await releaseMailLeases(
          db,
          workerId,
          taken.map((row) => row.id),
        );
        return;
      }
      for (const account of taken) {
        const runner = new AccountRunner(account, {
          db,
          owner: workerId,
          events: options.events,
          encryptionKey: options.encryptionKey,
          oauthClients: options.oauthClients,
          limits: { allowedPrivateHosts: options.allowedPrivateHosts },
          settings: runnerSettings,
          queueErrorEmail: options.queueErrorEmail,
          log,
          firstPassSlots,
          onNewMessage: options.onNewMessage,
          onFirstSyncStored: options.onFirstSyncStored,
        });
        runners.set(account.id, runner);
        runner.start();
      }
      if (taken.length) log.info({ workerId, accounts: taken.map((row) => row.id) }, "mail accounts leased");
    } catch (error) {
      log.warn({ workerId, err: error instanceof Error ? error.message : String(error) }, "mail lease renewal failed");
      // Past the lease another worker may run these accounts already: two runners would only compete.
      if (Date.now() - lastRenewal >= leaseMs) {
        for (const id of [...runners.keys()]) stopRunner(id);
      }
    }
  };

  const loop = async () => {
    await tick();
    if (!closed) timer = setTimeout(() => void loop(), Math.max(Math.floor(leaseMs / 3), 200));
  };
  void loop();
  log.info({ workerId, maxAccounts: settings.workerMaxAccounts }, "mail sync worker started");

  return {
    workerId,
    heldAccounts: () => [...runners.keys()],
    async close() {
      closed = true;
      clearTimeout(timer);
      const held = [...runners.keys()];
      for (const id of held) stopRunner(id);
      await Promise.all([...stopping]);
      await releaseMailLeases(db, workerId, held).catch(() => {});
    },
  };
}
