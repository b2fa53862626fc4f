import { loadConfigOrExit } from "@tidings/config";
import { startBullWorkers } from "@tidings/jobs";
import { Redis } from "ioredis";
import { pino } from "pino";
import { createProcessors } from "./processors.ts";

const config = loadConfigOrExit();
const log = pino({ level: config.logLevel, base: { process: "worker" } });

if (!config.redisUrl) {
  process.stderr.write(
    "REDIS_URL: required to run the worker as its own process (without it, the server runs the jobs in-process)\n",
  );
  process.exit(1);
}

const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
connection.on("error", (error) => log.warn({ err: error.message }, "redis connection error"));

const workers = startBullWorkers(createProcessors(), connection, config.redisPrefix, {
  onCompleted: (queue, jobId, name) => log.info({ queue, jobId, job: name }, "job completed"),
  onFailed: (queue, jobId, name, error) => log.warn({ queue, jobId, job: name, err: error.message }, "job failed"),
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
  await workers.close();
  connection.disconnect();
  log.info("worker stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
