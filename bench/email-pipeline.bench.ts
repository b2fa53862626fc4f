import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { childProcessEnv } from "@tidings/config/test-env";
import { createDatabase, migrateToLatest } from "@tidings/db";
import { createSmtpTransport, render } from "@tidings/email";
import { queueEmail } from "@tidings/jobs";
import { type SmtpSink, startSmtpSink } from "@tidings/testing/smtp";
import {
  flushRedisPrefix,
  POSTGRES_ADMIN_URL,
  postgresAdmin,
  REDIS_URL,
  type ReportLine,
  ratio,
  repoRoot,
} from "./lib.ts";

const APP_URL = "https://mail.example.test";

/**
 * Emails per second and enqueue-to-delivered latency through the whole pipeline (outbox row in
 * Postgres -> relay -> BullMQ on Redis -> worker process -> render -> SMTP), against the same
 * emails sent straight to the same SMTP sink with a pooled nodemailer (the ceiling of the SMTP leg).
 */
export async function run(options: Record<string, string>): Promise<Record<string, unknown>> {
  const count = Number(options.emails ?? 10_000);
  const baseline = await rawSmtp(count);
  const candidate = await pipeline(count);
  const name = `${count} emails: outbox -> BullMQ -> worker -> SMTP vs raw pooled SMTP`;
  const emailRatio = ratio(candidate.emailsPerSecond, baseline.emailsPerSecond);
  const lines: ReportLine[] = [
    {
      measure: `context: ${name}`,
      tidings: `${candidate.emailsPerSecond} emails/s, p50 ${candidate.p50LatencyMs} ms, p95 ${candidate.p95LatencyMs} ms`,
      comparedWith: `${baseline.emailsPerSecond} emails/s`,
      ratio: emailRatio,
    },
  ];
  return { name, baseline, candidate, ratio: emailRatio, lines };
}

async function rawSmtp(count: number) {
  const sink = await startSmtpSink();
  const transport = createSmtpTransport(sink.url);
  try {
    const email = await render("welcome", { displayName: "Bench" }, { appUrl: APP_URL });
    const started = Date.now();
    let next = 0;
    // The same concurrency as a worker (WORKER_CONCURRENCY default 10) over the same pool size.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < count) {
          const i = next++;
          await transport.send({
            ...email,
            from: "bench@example.test",
            to: `r${i}@example.test`,
            messageId: `<raw-${i}@bench>`,
          });
        }
      }),
    );
    await sink.waitForAccepted(count);
    return { emailsPerSecond: round((count / (Date.now() - started)) * 1000) };
  } finally {
    await transport.close();
    await sink.close();
  }
}

async function pipeline(count: number) {
  const name = `tidings_bench_${randomBytes(4).toString("hex")}`;
  await postgresAdmin(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = createDatabase({ databaseUrl: url.toString(), poolSize: 8 });
  const sink = await startSmtpSink();
  const prefix = `tidings_bench_${randomBytes(4).toString("hex")}`;
  let worker: ChildProcess | undefined;
  try {
    await migrateToLatest(database.db);
    worker = await startWorker({
      DATABASE_URL: url.toString(),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      SMTP_URL: sink.url,
      APP_URL,
      LOG_LEVEL: "warn",
    });

    const insertedAt = new Map<string, number>();
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < count) {
          const i = next++;
          const id = await queueEmail(database.db, {
            template: "welcome",
            to: `p${i}@example.test`,
            data: { displayName: `User ${i}` },
          });
          insertedAt.set(id, Date.now());
        }
      }),
    );
    await sink.waitForAccepted(count, 30 * 60_000);
    const elapsed = Date.now() - started;
    const latencies = latenciesOf(sink, insertedAt);
    return {
      emailsPerSecond: round((count / elapsed) * 1000),
      p50LatencyMs: percentile(latencies, 0.5),
      p95LatencyMs: percentile(latencies, 0.95),
    };
  } finally {
    worker?.kill("SIGTERM");
    await sink.close();
    await database.close();
    await postgresAdmin(`drop database if exists ${name} with (force)`);
    await flushRedisPrefix(prefix);
  }
}

function latenciesOf(sink: SmtpSink, insertedAt: Map<string, number>): number[] {
  return sink.accepted
    .map((email) => {
      const id = email.messageId.replace(/^<([^@]+)@.*$/, "$1");
      const inserted = insertedAt.get(id);
      return inserted === undefined ? Number.NaN : email.acceptedAt - inserted;
    })
    .filter((value) => Number.isFinite(value))
    .sort((a, b) => a - b);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn("node", ["--import", "tsx", "apps/worker/src/main.ts"], {
    cwd: repoRoot,
    env: childProcessEnv({ ...env, LOG_LEVEL: "info" }),
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"worker started"')) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`worker exited (${code}):\n${output}`)));
  });
}
