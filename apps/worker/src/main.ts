import { resolveEncryptionKey } from "@tidings/auth";
import { loadConfigOrExit } from "@tidings/config";
import { createDatabase } from "@tidings/db";
import { createMailTransport, warmTemplates } from "@tidings/email";
import {
  createBullProducer,
  createProcessors,
  queueEmail,
  queueFirstSyncAnalyses,
  startBullWorkers,
  startHousekeeping,
  startOutboxRelay,
} from "@tidings/jobs";
import {
  createGuardedFetch,
  createRedisMailEventBus,
  mailAccountErrorEmail,
  parseAllowedPrivateHosts,
  type SendDeps,
  sendOutgoing,
  startMailSyncWorker,
  storeDraftCopy,
} from "@tidings/mail";
import { createLogDestination } from "@tidings/runtime";
import { Redis } from "ioredis";
import { pino } from "pino";
import { startWorkerMetrics } from "./metrics.ts";

const config = loadConfigOrExit();
const logDestination = createLogDestination(config);
const log = pino(
  {
    level: config.logLevel,
    base: { process: "worker" },
    redact: { paths: ["*.password", "*.token", "*.refreshToken", "*.authorization", "*.cookie"], censor: "[redacted]" },
  },
  logDestination.stream ?? pino.destination(1),
);

if (!config.redisUrl || !config.databaseUrl) {
  process.stderr.write(
    `${!config.redisUrl ? "REDIS_URL" : "DATABASE_URL"}: required to run the worker as its own process ` +
      "(without REDIS_URL, the server runs the jobs in-process)\n",
  );
  process.exit(1);
}

// Compile every email template now, so no job waits for the MJML compiler.
await warmTemplates();
const database = createDatabase({ databaseUrl: config.databaseUrl });
const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
connection.on("error", (error) => log.warn({ err: error.message }, "redis connection error"));
const transport = createMailTransport(config, database.db);

const metrics = config.metrics.enabled
  ? await startWorkerMetrics({
      config,
      db: database.db,
      pingDatabase: (timeoutMs) => database.ping(timeoutMs),
      connection,
      onListenError: (error) =>
        log.error(
          { err: error.message, port: config.metrics.workerPort },
          "worker metrics: cannot listen; running without",
        ),
    })
  : undefined;
// Mail sync and mail actions open sealed credentials; events go on Redis for every server process to relay.
const encryptionKey = await resolveEncryptionKey(config.auth.encryptionKey, config.dataDir);
const eventsConnection = connection.duplicate();
eventsConnection.on("error", (error) => log.warn({ err: error.message }, "redis connection error (mail events)"));
const mailEvents = createRedisMailEventBus(eventsConnection, config.redisPrefix);
// Sending through users' mailboxes: their sealed passwords' key (S23), the address guard (S24), the bus.
const sendAccess: SendDeps = {
  db: database.db,
  encryptionKey,
  limits: { allowedPrivateHosts: parseAllowedPrivateHosts(config.mail.allowedPrivateHosts) },
  // OAuth2 mailboxes send with XOAUTH2; their tokens are refreshed with the configured clients.
  oauth: { db: database.db, clients: config.mail.oauth },
  events: mailEvents,
};
const baseProcessors = createProcessors({
  db: database.db,
  transport,
  appUrl: config.appUrl,
  from: config.mailFrom,
  mailActions: {
    db: database.db,
    encryptionKey: async () => encryptionKey,
    oauthClients: config.mail.oauth,
    limits: { allowedPrivateHosts: parseAllowedPrivateHosts(config.mail.allowedPrivateHosts) },
    events: mailEvents,
  },
  // Sending through users' mailboxes opens their sealed passwords (S23).
  mailSend: {
    send: (outgoingId, attempt) => sendOutgoing(sendAccess, outgoingId, attempt),
    storeDraft: (draftId) => storeDraftCopy(sendAccess, draftId),
  },
  // AI analysis of new mail: the users' providers (their keys are sealed), a user-named server
  // only through the mail hosts' guard (S24), analysis.ready on the bus.
  ai: {
    db: database.db,
    config: config.ai,
    encryptionKey,
    fetch: createGuardedFetch(parseAllowedPrivateHosts(config.mail.allowedPrivateHosts)),
    events: mailEvents,
    concurrency: config.workerConcurrency,
  },
});
const processors = metrics ? metrics.instrument(baseProcessors) : baseProcessors;
const workers = startBullWorkers(
  processors,
  connection,
  config.redisPrefix,
  {
    concurrency: config.workerConcurrency,
    lockDurationMs: config.workerLockDurationMs,
    // AI jobs wait inside the processor for a fair turn (per user), so it holds more than it runs.
    queueConcurrency: { ai: config.workerConcurrency * 4 },
  },
  {
    onCompleted: (queue, jobId, name) => log.info({ queue, jobId, job: name }, "job completed"),
    onFailed: (queue, jobId, name, error) => log.warn({ queue, jobId, job: name, err: error.message }, "job failed"),
  },
);
// Each worker also relays the outbox; row locks keep several relays from taking the same rows.
const producer = createBullProducer(connection, config.redisPrefix);
const relay = startOutboxRelay({
  db: database.db,
  producer,
  onError: (error) =>
    log.warn(
      { err: error instanceof Error ? error.message : error },
      "could not pass waiting emails and jobs to the queue; retrying",
    ),
});
// Mail sync: this worker leases up to WORKER_MAX_ACCOUNTS mailboxes and keeps them in step.
const mailSync = startMailSyncWorker({
  db: database.db,
  events: mailEvents,
  encryptionKey,
  // OAuth2 mailboxes sync with XOAUTH2, their access tokens refreshed with these clients.
  oauthClients: config.mail.oauth,
  allowedPrivateHosts: parseAllowedPrivateHosts(config.mail.allowedPrivateHosts),
  settings: config.mail,
  queueErrorEmail: (trx, notice) => queueEmail(trx, mailAccountErrorEmail(notice)),
  log: log.child({ component: "mail-sync" }),
  // New mail is analysed on the `ai` queue (one job per message, whichever worker synced it).
  onNewMessage: (message) =>
    producer.enqueue(
      "ai",
      "analyze",
      { userId: message.userId, messageId: message.messageId },
      { jobId: `analyze-${message.messageId}` },
    ),
  // A new account's recent inbox mail is analysed too, behind new mail (bounded per account).
  onFirstSyncStored: (account) => queueFirstSyncAnalyses(database.db, producer, account),
});
// Stale uploads, OAuth requests and WebAuthn challenges go hourly, and failed AI analyses get
// another round (idempotent in every worker).
const housekeeping = startHousekeeping({
  db: database.db,
  producer,
  onPruned: (counts) => log.info(counts, "housekeeping: stale rows deleted, failed analyses retried"),
  onError: (error) =>
    log.warn({ err: error instanceof Error ? error.message : error }, "housekeeping failed; next hour"),
});
// "worker started" means jobs are being taken: a job queued after this line is not waiting on a connection.
await workers.ready();
log.info({ prefix: config.redisPrefix, metrics: metrics?.url, mailWorkerId: mailSync.workerId }, "worker started");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "worker stopping: finishing jobs in progress");
  const force = setTimeout(() => {
    log.error("worker did not stop in time; exiting");
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  // Leases are given back, so other workers take these mailboxes at once rather than after expiry.
  await mailSync.close();
  await housekeeping.stop();
  await mailEvents.close();
  eventsConnection.disconnect();
  await relay.close();
  await workers.close();
  await metrics?.close();
  await producer.close();
  await transport.close();
  connection.disconnect();
  await database.close();
  log.info("worker stopped");
  await logDestination.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
