import { createAuthDeps } from "@tidings/api";
import {
  type AuthDeps,
  applyAdminEmails,
  createMemoryRateLimiter,
  createMemoryRevocationStore,
  createRedisRateLimiter,
  createRedisRevocationStore,
  loadKeyRing,
  type RateLimiter,
  resolveEncryptionKey,
  restoreEndedSessions,
} from "@tidings/auth";
import type { Config } from "@tidings/config";
import { createDatabase, type DatabaseHandle, migrateToLatest } from "@tidings/db";
import { createMailTransport, warmTemplates } from "@tidings/email";
import {
  createBullProducer,
  createInProcessProducer,
  createProcessors,
  type Housekeeping,
  type JobProducer,
  type OutboxRelay,
  queueEmail,
  queueFirstSyncAnalyses,
  requeuePendingMailSends,
  startHousekeeping,
  startOutboxRelay,
} from "@tidings/jobs";
import {
  createGuardedFetch,
  createMemoryMailEventBus,
  createRedisMailEventBus,
  type MailEventBus,
  type MailSyncWorker,
  mailAccountErrorEmail,
  parseAllowedPrivateHosts,
  sendOutgoing,
  startMailSyncWorker,
  storeDraftCopy,
} from "@tidings/mail";
import { withTimeout } from "@tidings/runtime";
import type { FastifyBaseLogger } from "fastify";
import { Redis } from "ioredis";

/** The connections a server process holds, opened once at start and closed at shutdown. */
export interface Services {
  database: DatabaseHandle;
  redis: Redis | undefined;
  jobs: JobProducer;
  auth: AuthDeps;
  rateLimiter: RateLimiter;
  mailEvents: MailEventBus;
  /** Resolves when Redis answers PING; rejects otherwise. No Redis configured counts as healthy. */
  pingRedis(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function createServices(config: Config, log: FastifyBaseLogger): Promise<Services> {
  const database = createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  if (config.migrateOnStart) {
    const applied = await migrateToLatest(database.db);
    if (applied.length) log.info({ migrations: applied }, "applied database migrations");
  }

  const encryptionKey = await resolveEncryptionKey(config.auth.encryptionKey, config.dataDir);
  // Embedded mode's bus, made before the in-process jobs that publish on it (used below without Redis).
  const embeddedMailEvents = createMemoryMailEventBus();
  // What sending needs: the mailbox passwords' key, the address guard (S24), the bus for outgoing.status.
  const sendAccess = {
    db: database.db,
    encryptionKey,
    limits: { allowedPrivateHosts: parseAllowedPrivateHosts(config.mail.allowedPrivateHosts) },
    // OAuth2 mailboxes send with XOAUTH2; their tokens are refreshed with the configured clients.
    oauth: { db: database.db, clients: config.mail.oauth },
    events: embeddedMailEvents,
  };
  let redis: Redis | undefined;
  let jobs: JobProducer;
  let relay: OutboxRelay | undefined;
  let closeTransport = async () => {};
  if (config.redisUrl) {
    // Worker processes run the jobs and relay the outbox.
    redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    redis.on("error", (error) => log.warn({ err: error.message }, "redis connection error"));
    jobs = createBullProducer(redis, config.redisPrefix);
  } else {
    // No Redis: this process runs the jobs itself (embedded mode), through the worker's processors.
    // Templates compile in the background so start-up does not wait for them.
    warmTemplates().catch((error: unknown) => log.error({ err: error }, "email templates failed to compile"));
    const transport = createMailTransport(config, database.db);
    closeTransport = () => transport.close();
    const processors = createProcessors({
      db: database.db,
      transport,
      appUrl: config.appUrl,
      from: config.mailFrom,
      mailActions: {
        db: database.db,
        encryptionKey: async () => encryptionKey,
        oauthClients: config.mail.oauth,
        limits: { allowedPrivateHosts: parseAllowedPrivateHosts(config.mail.allowedPrivateHosts) },
        events: embeddedMailEvents,
      },
      mailSend: {
        send: (outgoingId, attempt) => sendOutgoing(sendAccess, outgoingId, attempt),
        storeDraft: (draftId) => storeDraftCopy(sendAccess, draftId),
      },
      ai: {
        db: database.db,
        config: config.ai,
        encryptionKey,
        fetch: createGuardedFetch(parseAllowedPrivateHosts(config.mail.allowedPrivateHosts)),
        events: embeddedMailEvents,
        concurrency: config.workerConcurrency,
      },
    });
    jobs = createInProcessProducer(processors, (error, job) => log.error({ err: error, job }, "job failed"));
    // This queue lives in memory: messages waiting for their undo window when the last process stopped are queued again.
    requeuePendingMailSends(database.db, jobs).catch((error: unknown) =>
      log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "could not queue waiting outgoing mail",
      ),
    );
    relay = startOutboxRelay({
      db: database.db,
      producer: jobs,
      onError: (error) => log.warn({ err: error }, "could not pass waiting emails and jobs to the queue; retrying"),
    });
  }

  const keyRing = await loadKeyRing(database.db, encryptionKey, config.auth.jwtPrivateKeys);
  // With Redis, revocations and limits are shared by every server process; without, this process is all there is.
  // Per-request checks get a connection of their own that sends the commands of concurrent
  // requests in one write (a socket write costs more than the command); queues keep theirs.
  const requestRedis = redis?.duplicate({ enableAutoPipelining: true });
  requestRedis?.on("error", (error) => log.warn({ err: error.message }, "redis connection error"));
  const revocation = requestRedis
    ? createRedisRevocationStore(requestRedis, config.redisPrefix)
    : createMemoryRevocationStore();
  const rateLimiter = requestRedis
    ? createRedisRateLimiter(requestRedis, config.redisPrefix)
    : createMemoryRateLimiter();
  const auth = createAuthDeps({
    config,
    db: database.db,
    keyRing,
    revocation,
    encryptionKey,
    onBackgroundError: (error) => log.error({ err: error }, "background authentication work failed"),
  });
  await promoteAdminEmails(auth, log);
  const revocationList = restoreRevocationList(auth, log);
  // Past the wait the read goes on in the background; attempt() reports its own failures.
  await withTimeout(revocationList.firstAttempt, RESTORE_FIRST_WAIT_MS).catch(() => {});

  // With Redis, workers publish and every server process relays its own users' events; without,
  // this process is all there is.
  const mailEvents = requestRedis ? createRedisMailEventBus(requestRedis, config.redisPrefix) : embeddedMailEvents;
  // Without Redis there are no worker processes: this one keeps the mailboxes in sync, through the
  // same leases (so a second server on the same Postgres shares the accounts instead of doubling them).
  let mailSync: MailSyncWorker | undefined;
  let housekeeping: Housekeeping | undefined;
  if (!redis) {
    housekeeping = startHousekeeping({
      db: database.db,
      producer: jobs,
      onPruned: (counts) => log.info(counts, "housekeeping: stale rows deleted, failed analyses retried"),
      onError: (error) => log.warn({ err: error instanceof Error ? error.message : error }, "housekeeping failed"),
    });
    mailSync = startMailSyncWorker({
      db: database.db,
      events: mailEvents,
      encryptionKey,
      // OAuth2 mailboxes sync with XOAUTH2, their access tokens refreshed with these clients.
      oauthClients: config.mail.oauth,
      allowedPrivateHosts: parseAllowedPrivateHosts(config.mail.allowedPrivateHosts),
      settings: config.mail,
      queueErrorEmail: (trx, notice) => queueEmail(trx, mailAccountErrorEmail(notice)),
      log: log.child({ component: "mail-sync" }),
      onNewMessage: (message) =>
        jobs.enqueue(
          "ai",
          "analyze",
          { userId: message.userId, messageId: message.messageId },
          { jobId: `analyze-${message.messageId}` },
        ),
      onFirstSyncStored: (account) => queueFirstSyncAnalyses(database.db, jobs, account),
    });
  }

  return {
    database,
    redis,
    jobs,
    auth,
    rateLimiter,
    mailEvents,
    async pingRedis(timeoutMs = 1_000) {
      if (!redis) return;
      // A disconnected ioredis queues commands until it reconnects; readiness must not wait for that.
      if (redis.status !== "ready") throw new Error(`redis is ${redis.status}`);
      await withTimeout(redis.ping(), timeoutMs);
    },
    async close() {
      revocationList.stop();
      await mailSync?.close();
      await housekeeping?.stop();
      await mailEvents.close();
      await relay?.close();
      await jobs.close();
      await closeTransport();
      requestRedis?.disconnect();
      redis?.disconnect();
      await database.close();
    },
  };
}

/**
 * ADMIN_EMAILS also names accounts verified before it did. A database that is not there (or not
 * migrated) at start does not stop the server: the next start applies the setting.
 */
async function promoteAdminEmails(auth: AuthDeps, log: FastifyBaseLogger): Promise<void> {
  if (!auth.adminEmails.length) return;
  try {
    const promoted = await withTimeout(applyAdminEmails(auth), RESTORE_FIRST_WAIT_MS);
    if (promoted.length) log.info({ accounts: promoted.length }, "ADMIN_EMAILS: existing accounts made admins");
  } catch (error) {
    log.warn(
      { err: error instanceof Error ? error.message : String(error) },
      "ADMIN_EMAILS could not be applied to existing accounts; the next start tries again",
    );
  }
}

const RESTORE_RETRY_MS = 2_000;
// A read held up (a lock on sessions, a pooler queueing it) must not hold up the start for ever.
const RESTORE_FIRST_WAIT_MS = 5_000;

/**
 * Announces again the sessions ended shortly before this start (see restoreEndedSessions): before
 * the first request when the database answers in time. A database that is down at start must not
 * stop a server that can otherwise start (keys from JWT_PRIVATE_KEYS, no migrations at start): the
 * read then goes on, or is retried, in the background.
 */
function restoreRevocationList(auth: AuthDeps, log: FastifyBaseLogger) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = async (): Promise<void> => {
    try {
      const restored = await restoreEndedSessions(auth);
      if (restored.sessions) {
        log.info({ sessions: restored.sessions }, "sessions signed out just before this start stay signed out");
      }
      restored.announced.catch((error: unknown) => {
        // Closing the connections at shutdown fails an announcement still on its way; nothing to report.
        if (!stopped)
          log.error({ err: error }, "could not make sure sessions signed out just before this start stay signed out");
      });
    } catch (error) {
      if (stopped) return;
      // The message only: this repeats every few seconds while the database is away.
      log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "database not reachable: cannot check for sessions signed out just before this start; retrying",
      );
      timer = setTimeout(() => void attempt(), RESTORE_RETRY_MS);
      timer.unref();
    }
  };
  return {
    firstAttempt: attempt(),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
