import { resolve } from "node:path";
import { type Executor, sql } from "@tidings/db";
import { queueEmail } from "@tidings/jobs";
import { type RunningProcess, startProcess } from "@tidings/testing";

const workerDir = resolve(import.meta.dirname, "..");

/** A worker process, started the way production starts it, once it says it is consuming. */
export async function startWorker(env: Record<string, string | undefined>): Promise<RunningProcess> {
  const worker = startProcess("node", ["--import", "tsx", "src/main.ts"], {
    cwd: workerDir,
    env: { APP_URL: "https://mail.example.test", LOG_LEVEL: "info", ...env },
  });
  await worker.waitFor(/"msg":"worker started"/);
  return worker;
}

/** Writes `count` welcome emails to the outbox, as domain changes would. */
export async function queueWelcomeEmails(db: Executor, count: number, tag: string) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(
      await queueEmail(db, { template: "welcome", to: `${tag}-${i}@example.test`, data: { displayName: `User ${i}` } }),
    );
  }
  return ids;
}

export async function deliveryStatuses(db: Executor): Promise<Record<string, number>> {
  const { rows } = await sql<{ status: string; count: number }>`
    select status, count(*)::int as count from email_deliveries group by status`.execute(db);
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
}
