import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import { childProcessEnv } from "@tidings/config/test-env";
import { createDatabase, type DatabaseHandle, insertMailAccount, migrateToLatest } from "@tidings/db";
import { MailboxSync, parseAllowedPrivateHosts } from "@tidings/mail";
import { spamAssassinMessages } from "@tidings/testing/corpus";
import { startDovecot, type TestDovecot } from "@tidings/testing/dovecot";
import { POSTGRES_ADMIN_URL, postgresAdmin, type ReportLine, ratio, targetLine } from "./lib.ts";
import type { ChildJob, ChildReport } from "./mail-sync-child.ts";
import { bundleLikeWorker, workerLaunch } from "./worker-launch.ts";

export const PASSWORD = "bench-mail-password";

/**
 * Initial sync of N SpamAssassin messages from a test Dovecot through MailboxSync (parsed,
 * sanitized, threaded, stored with its search vector in Postgres) against a raw imapflow fetch of
 * the same messages' full source from the same server in the same run; target ≥ 0.5. Then the peak
 * RSS of a process of its own syncing M messages (the corpus repeated with new Message-IDs); target
 * ≤ 256 MB. Options: --mailSyncMessages=5000 --mailSyncRssMessages=20000.
 */
export async function run(options: Record<string, string>): Promise<Record<string, unknown>> {
  const count = Number(options.mailSyncMessages ?? 5_000);
  const rssCount = Number(options.mailSyncRssMessages ?? 20_000);
  const dovecot = await startDovecot({ users: { speed: PASSWORD, memory: PASSWORD } });
  const lines: ReportLine[] = [];
  const result: Record<string, unknown> = { count, rssCount, lines };
  try {
    // Files in the maildir, as a delivery agent leaves them: APPENDing 20 000 took 24 minutes at load 20.
    await dovecot.deliverToInbox("speed", spamAssassinMessages({ count }));
    const raw = await rawFetch(dovecot, "speed");
    const synced = await withDatabase((database) => timedSync(database, dovecot, "speed"));
    if (synced.stored !== count || raw.messages !== count) {
      throw new Error(`mail-sync: ${count} appended, ${raw.messages} fetched raw, ${synced.stored} synced`);
    }
    const candidate = round(count / synced.seconds);
    const baseline = round(count / raw.seconds);
    const syncRatio = ratio(candidate, baseline);
    lines.push(
      targetLine(
        {
          measure: `initial sync of ${count} SpamAssassin messages (stored, threaded, indexed) vs raw imapflow fetch of their source`,
          tidings: `${candidate} messages/s (${synced.seconds.toFixed(1)} s)`,
          comparedWith: `${baseline} messages/s (${raw.seconds.toFixed(1)} s, ${megabytes(raw.bytes)} MB)`,
          ratio: syncRatio,
        },
        Number(syncRatio),
        { atLeast: 0.5 },
        "≥ 0.5",
      ),
    );
    Object.assign(result, { raw, synced, ratio: syncRatio });
    // Printed now: the RSS step takes far longer, and a failure there must not lose this figure.
    process.stdout.write(`mail-sync: ${JSON.stringify(lines[0])}\n`);

    try {
      await dovecot.deliverToInbox("memory", spamAssassinMessages({ count: rssCount }));
      const child = await withDatabase((database) => childSync(database, dovecot, "memory"));
      if (!child.ok || child.added !== rssCount) {
        throw new Error(`mail-sync: the child synced ${child.added} of ${rssCount} (${child.error ?? "no error"})`);
      }
      result.child = child;
      lines.push(
        targetLine(
          {
            measure: `peak RSS of a worker-like process syncing ${rssCount} messages (${rssCount > 6046 ? "corpus repeated, new Message-IDs" : "corpus"}; bundled, the worker's start flags)`,
            tidings: `${child.peakRssMb} MB (${child.startRssMb} MB before the sync; ${round(child.added / child.seconds)} messages/s)`,
          },
          child.peakRssMb,
          { atMost: 256 },
          "≤ 256 MB",
        ),
      );
    } catch (error) {
      result.rssError = String(error);
      lines.push({
        measure: `peak RSS syncing ${rssCount} messages`,
        tidings: `failed: ${String(error)}`,
        verdict: "FAIL",
      });
    }
    return result;
  } finally {
    await dovecot.close();
  }
}

/** The ceiling: every message's full source over one IMAP session, nothing done with it. */
async function rawFetch(dovecot: TestDovecot, user: string) {
  const client = await dovecot.connect(user);
  try {
    const lock = await client.getMailboxLock("INBOX");
    try {
      const started = performance.now();
      let messages = 0;
      let bytes = 0;
      for await (const message of client.fetch("1:*", { uid: true, source: true })) {
        messages += 1;
        bytes += message.source?.length ?? 0;
      }
      return { messages, bytes, seconds: (performance.now() - started) / 1000 };
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

async function timedSync(database: DatabaseHandle, dovecot: TestDovecot, user: string) {
  const account = await createAccount(database, dovecot, user);
  const started = performance.now();
  const result = await new MailboxSync({
    db: database.db,
    account,
    imapPassword: PASSWORD,
    limits: { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 30_000 },
  }).syncOnce();
  const seconds = (performance.now() - started) / 1000;
  if (!result.ok) throw new Error(`mail-sync: ${result.code}: ${result.message}`);
  return { seconds, stored: result.folders.reduce((sum, folder) => sum + folder.added, 0) };
}

async function childSync(database: DatabaseHandle & { url: string }, dovecot: TestDovecot, user: string) {
  const account = await createAccount(database, dovecot, user);
  return syncInChild({
    databaseUrl: database.url,
    userId: account.user_id,
    accountId: account.id,
    imapPassword: PASSWORD,
  });
}

/**
 * Runs mail-sync-child.ts on the job, as the worker runs (bundled, with the flags and environment
 * of apps/worker's start script), and answers its report (its peak RSS among it).
 */
export async function syncInChild(job: ChildJob): Promise<ChildReport> {
  const [launch, script] = await Promise.all([workerLaunch(), bundleLikeWorker("mail-sync-child.ts")]);
  try {
    return await new Promise<ChildReport>((resolve, reject) => {
      const child = spawn(process.execPath, [...launch.nodeFlags, script, JSON.stringify(job)], {
        cwd: import.meta.dirname,
        env: childProcessEnv(launch.env),
        stdio: ["ignore", "pipe", "inherit"],
      });
      let output = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once("error", reject);
      child.once("exit", (code) => {
        const line = output.trim().split("\n").pop() ?? "";
        try {
          resolve(JSON.parse(line) as ChildReport);
        } catch {
          reject(new Error(`mail-sync child exited (${code}) without a report:\n${output}`));
        }
      });
    });
  } finally {
    await rm(dirname(script), { recursive: true, force: true });
  }
}

export async function createAccount(database: Pick<DatabaseHandle, "db">, dovecot: TestDovecot, user: string) {
  const email = `${user}@bench.example.test`;
  const { id: userId } = await database.db
    .insertInto("users")
    .values({ email, email_normalized: email })
    .returning("id")
    .executeTakeFirstOrThrow();
  return insertMailAccount(database.db, {
    userId,
    email,
    provider: "custom",
    imap: { host: dovecot.host, port: dovecot.port, security: "none", username: user },
    smtp: { host: dovecot.host, port: 1, security: "none", username: user },
    credentialsSealed: "sealed-elsewhere",
    syncDays: 30,
  });
}

/** A Postgres database of the benchmark's own, migrated, dropped afterwards. */
async function withDatabase<T>(work: (database: DatabaseHandle & { url: string }) => Promise<T>): Promise<T> {
  const name = `tidings_bench_${randomBytes(4).toString("hex")}`;
  await postgresAdmin(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = createDatabase({ databaseUrl: url.toString(), poolSize: 4 });
  try {
    await migrateToLatest(database.db);
    return await work({ ...database, url: url.toString() });
  } finally {
    await database.close();
    await postgresAdmin(`drop database if exists ${name} with (force)`);
  }
}

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
