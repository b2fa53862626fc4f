import { randomBytes } from "node:crypto";
import { createDatabase, insertMailAccount, listMailFolders, migrateToLatest } from "@tidings/db";
import {
  createMemoryMailEventBus,
  parseAllowedPrivateHosts,
  sealMailCredentials,
  startMailSyncWorker,
} from "@tidings/mail";
import { startDovecot } from "@tidings/testing/dovecot";
import { POSTGRES_ADMIN_URL, postgresAdmin, type ReportLine, targetLine } from "./lib.ts";

/**
 * Live mail: the time from an APPEND on the IMAP server (Dovecot) to the message stored in
 * Postgres, through the sync runner's IDLE connection and an incremental INBOX pass, one message
 * at a time so each measures the whole path. Issue #16 asks for new mail within 2 s.
 */
export async function run(options: Record<string, string>): Promise<Record<string, unknown>> {
  const count = Number(options.liveMessages ?? 50);
  const name = `tidings_bench_${randomBytes(4).toString("hex")}`;
  await postgresAdmin(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = createDatabase({ databaseUrl: url.toString(), poolSize: 4 });
  const dovecot = await startDovecot({ users: { bench: "bench-password" } });
  const key = randomBytes(32);
  const silent = { info: () => {}, warn: () => {}, error: () => {} };
  let worker: ReturnType<typeof startMailSyncWorker> | undefined;
  try {
    await migrateToLatest(database.db);
    const db = database.db;
    const email = "bench@example.test";
    const { id: userId } = await db
      .insertInto("users")
      .values({ email, email_normalized: email })
      .returning("id")
      .executeTakeFirstOrThrow();
    const account = await insertMailAccount(db, {
      userId,
      email,
      provider: "custom",
      imap: { host: "127.0.0.1", port: dovecot.port, security: "none", username: "bench" },
      smtp: { host: "127.0.0.1", port: 1, security: "none", username: "bench" },
      credentialsSealed: sealMailCredentials(
        key,
        { userId, email },
        { imapPassword: "bench-password", smtpPassword: "bench-password" },
      ),
    });
    worker = startMailSyncWorker({
      db,
      events: createMemoryMailEventBus(),
      encryptionKey: key,
      allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]),
      settings: { leaseSeconds: 15, workerMaxAccounts: 10, pollSeconds: 600, fullSyncMinutes: 600 },
      queueErrorEmail: async () => {},
      log: silent,
    });
    const stored = async () => {
      const inbox = (await listMailFolders(db, account.id)).find((folder) => folder.path === "INBOX");
      if (!inbox) return 0;
      const row = await db
        .selectFrom("mail_messages")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("folder_id", "=", inbox.id)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };
    await waitUntil(
      async () => (await db.selectFrom("mail_accounts").select("status").executeTakeFirstOrThrow()).status === "ready",
      30_000,
    );
    // Let the IDLE connection settle after the first pass.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const latencies: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const raw = `From: a@example.test\r\nSubject: live ${index}\r\nMessage-ID: <live-${index}@bench>\r\n\r\nbody ${index}\r\n`;
      const started = performance.now();
      await dovecot.append("bench", "INBOX", raw);
      await waitUntil(async () => (await stored()) === index + 1, 10_000);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const p50 = Math.round(percentile(latencies, 0.5));
    const p95 = Math.round(percentile(latencies, 0.95));
    const lines: ReportLine[] = [
      targetLine(
        { measure: `append -> stored (IDLE), ${count} messages, p50`, tidings: `${p50} ms` },
        p50,
        { atMost: 1_000 },
        "p50 ≤ 1000 ms",
      ),
      targetLine(
        { measure: `append -> stored (IDLE), ${count} messages, p95`, tidings: `${p95} ms` },
        p95,
        { atMost: 3_000 },
        "p95 ≤ 3000 ms",
      ),
    ];
    return { name: "mail-live", count, p50Ms: p50, p95Ms: p95, maxMs: Math.round(latencies.at(-1) ?? 0), lines };
  } finally {
    await worker?.close();
    await dovecot.close();
    await database.close();
    await postgresAdmin(`drop database ${name} with (force)`);
  }
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`not reached within ${timeoutMs} ms`);
}
