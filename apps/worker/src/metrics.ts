import { createServer, type Server } from "node:http";
import type { Config } from "@tidings/config";
import type { Database, Kysely } from "@tidings/db";
import { templateNames } from "@tidings/email";
import { type Job, PermanentJobError, type Processors, type QueueName, queueNames } from "@tidings/jobs";
import { createMetricsRegistry, metricsAccessAllowed, registerSharedGauges, withTimeout } from "@tidings/runtime";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { Counter, Gauge, Histogram } from "prom-client";

/** BullMQ job states `tidings_queue_jobs` reports. */
export const jobStates = ["waiting", "active", "delayed", "failed", "completed"] as const;

export interface WorkerMetrics {
  /** The same processors, timed and counted. */
  instrument(processors: Processors): Processors;
  /** Where the metrics are served, e.g. http://127.0.0.1:9464/metrics; undefined if the port was taken. */
  url: string | undefined;
  close(): Promise<void>;
}

/**
 * The worker's metrics on its own port (WORKER_METRICS_PORT on HOST): queue sizes from BullMQ at
 * scrape time, job durations, emails sent and given up, the outbox backlog, Postgres and Redis
 * reachability, and Node process metrics. Labels come only from fixed sets (queue, state, outcome,
 * template names): never a recipient or a token (S16).
 */
export async function startWorkerMetrics(deps: {
  config: Config;
  db: Kysely<Database>;
  pingDatabase(timeoutMs: number): Promise<void>;
  connection: Redis;
  onListenError(error: Error): void;
}): Promise<WorkerMetrics> {
  const { config, connection } = deps;
  const registry = createMetricsRegistry("worker");

  // Read-only handles for counting; they share the worker's connection.
  const queues = queueNames.map((name) => [name, new Queue(name, { connection, prefix: config.redisPrefix })] as const);
  new Gauge({
    name: "tidings_queue_jobs",
    help: "Jobs per queue and state, read from BullMQ at scrape time",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      const counts = await Promise.allSettled(
        queues.map(([, queue]) => withTimeout(queue.getJobCounts(...jobStates), 2_000)),
      );
      this.reset();
      counts.forEach((result, index) => {
        const name = queues[index]?.[0];
        if (!name || result.status !== "fulfilled") return;
        for (const state of jobStates) this.labels(name, state).set(result.value[state] ?? 0);
      });
    },
  });
  const jobDuration = new Histogram({
    name: "tidings_job_duration_seconds",
    help: "Time a job attempt took, by queue and outcome (completed, retried, failed)",
    labelNames: ["queue", "outcome"],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const emailsSent = new Counter({
    name: "tidings_emails_sent_total",
    help: "Emails handed to the mail server (or the dev mailbox), by template",
    labelNames: ["template"],
    registers: [registry],
  });
  const emailsFailed = new Counter({
    name: "tidings_emails_failed_total",
    help: "Emails given up on (permanent failure or last retry failed), by template",
    labelNames: ["template"],
    registers: [registry],
  });
  for (const template of templateNames) {
    emailsSent.labels(template).inc(0);
    emailsFailed.labels(template).inc(0);
  }
  registerSharedGauges(registry, {
    db: deps.db,
    pingDatabase: deps.pingDatabase,
    pingRedis: async (timeoutMs) => {
      if (connection.status !== "ready") throw new Error(`redis is ${connection.status}`);
      await withTimeout(connection.ping(), timeoutMs);
    },
  });

  const knownTemplates = new Set<string>(templateNames);
  const instrument = (processors: Processors): Processors => {
    const timed = <Q extends QueueName>(queue: Q, run: (job: Job<Q>) => Promise<unknown>) => {
      const completed = jobDuration.labels(queue, "completed");
      const retried = jobDuration.labels(queue, "retried");
      const failed = jobDuration.labels(queue, "failed");
      return async (job: Job<Q>) => {
        const started = performance.now();
        const template = queue === "email" ? String((job.data as { template?: unknown }).template ?? "") : undefined;
        const templateLabel = template && knownTemplates.has(template) ? template : undefined;
        try {
          const result = await run(job);
          completed.observe((performance.now() - started) / 1000);
          if (templateLabel && (result as { status?: unknown } | undefined)?.status === "sent") {
            emailsSent.labels(templateLabel).inc();
          }
          return result;
        } catch (error) {
          const givenUp = error instanceof PermanentJobError || job.lastAttempt;
          (givenUp ? failed : retried).observe((performance.now() - started) / 1000);
          if (templateLabel && givenUp) emailsFailed.labels(templateLabel).inc();
          throw error;
        }
      };
    };
    return {
      email: timed("email", processors.email),
      "mail-send": timed("mail-send", processors["mail-send"]),
      maintenance: timed("maintenance", processors.maintenance),
      mail: timed("mail", processors.mail),
      ai: timed("ai", processors.ai),
    };
  };

  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "").split("?")[0];
    if (request.method !== "GET" || path !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not Found\n");
      return;
    }
    if (!metricsAccessAllowed(config.metrics.token, request.headers.authorization)) {
      response.writeHead(401, { "www-authenticate": 'Bearer realm="metrics"' }).end();
      return;
    }
    registry.metrics().then(
      (body) =>
        response.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  // A port already in use costs the metrics, not the email delivery: the worker keeps working.
  const url = await new Promise<string | undefined>((resolve) => {
    server.once("error", (error) => {
      deps.onListenError(error);
      resolve(undefined);
    });
    server.listen(config.metrics.workerPort, config.host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : config.metrics.workerPort;
      const host = config.host.includes(":") ? `[${config.host}]` : config.host;
      resolve(`http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${port}/metrics`);
    });
  });

  return {
    instrument,
    url,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(queues.map(([, queue]) => queue.close()));
    },
  };
}
