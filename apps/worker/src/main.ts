import { loadConfigOrExit } from "@tidings/config";
import { createDatabase } from "@tidings/db";
import { warmTemplates } from "@tidings/email";
import { createBullProducer, startBullWorkers, startOutboxRelay } from "@tidings/jobs";
import { Redis } from "ioredis";
import { pino } from "pino";
import { createProcessors } from "./processors.ts";
import { createMailTransport } from "./transport.ts";

const config = loadConfigOrExit();
const log = pino({ level: config.logLevel, base: { process: "worker" } });

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

const processors = createProcessors({
  db: database.db,
  transport,
  appUrl: config.appUrl,
  from: config.mailFrom,
});
const workers = startBullWorkers(
  processors,
  connection,
  config.redisPrefix,
  { concurrency: config.workerConcurrency, lockDurationMs: config.workerLockDurationMs },
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
  onError: (error) => log.warn({ err: error instanceof Error ? error.message : error }, "outbox relay: will retry"),
});
log.info({ prefix: config.redisPrefix }, "worker started");

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
  await relay.close();
  await workers.close();
  await producer.close();
  await transport.close();
  connection.disconnect();
  await database.close();
  log.info("worker stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
