import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { analyzeLocally, emptyLocalModelState, learn, predictor } from "@tidings/ai";
import { loadConfig } from "@tidings/config";
import {
  createDatabase,
  type Database,
  insertMailAccount,
  insertMailMessagesBulk,
  insertMailThreadsBulk,
  type Kysely,
  migrateToLatest,
  type NewMailMessage,
  refreshMailThreads,
  sql,
  updateAiSettings,
  upsertMailFolder,
} from "@tidings/db";
import { createAiProcessor, createBullProducer, startBullWorkers } from "@tidings/jobs";
import { createGuardedFetch, createMemoryMailEventBus, parseAllowedPrivateHosts } from "@tidings/mail";
import { Redis } from "ioredis";
import { lessonsFromActions } from "../packages/ai/eval/dev-run.ts";
import { devSet, recipientFor, toEmail } from "../packages/ai/eval/dev-set/index.ts";
import { completion, startFakeOpenAi } from "../packages/ai/test/fake-openai.ts";
import {
  flushRedisPrefix,
  POSTGRES_ADMIN_URL,
  postgresAdmin,
  REDIS_URL,
  type ReportLine,
  ratio,
  targetLine,
} from "./lib.ts";

/**
 * The `ai` queue (BullMQ on Redis, the worker's processor and options) analysing `aiMessages` new
 * messages of four users against a fake OpenAI-compatible server that answers after `aiLatencyMs`,
 * with `aiConcurrency` provider calls at once (WORKER_CONCURRENCY), against the bound
 * messages × latency / concurrency: the time no scheduler can beat. Target ≥ 0.9 of the bound.
 * And the local provider's analyses per second on one core (this process's one JS thread), over
 * the development set with the model learned from its simulated actions: target ≥ 2 000.
 */
export async function run(options: Record<string, string>): Promise<Record<string, unknown>> {
  const messages = Number(options.aiMessages ?? 1_000);
  const concurrency = Number(options.aiConcurrency ?? 10);
  const latencyMs = Number(options.aiLatencyMs ?? 300);
  const localAnalyses = Number(options.aiLocalAnalyses ?? 20_000);

  const queue = await queueThroughput({ messages, concurrency, latencyMs });
  const local = localThroughput(localAnalyses);
  const boundRatio = queue.boundSeconds / queue.seconds;
  const localRatio = local.perSecond / 2_000;
  const lines: ReportLine[] = [
    targetLine(
      {
        measure: `${messages} analyses through the ai queue, provider answering in ${latencyMs} ms, concurrency ${concurrency}`,
        tidings: `${queue.seconds.toFixed(2)} s (${queue.providerCalls} provider calls; a call ${Math.round(queue.callMs)} ms as the worker saw it, event loop delay ${queue.eventLoopDelayMs.mean.toFixed(0)} ms mean; CPU per job ${queue.cpuMsPerJob.toFixed(1)} ms here + ${queue.postgresCpuMsPerJob.toFixed(1)} ms Postgres)`,
        comparedWith: `bound ${queue.boundSeconds.toFixed(2)} s`,
        ratio: ratio(queue.boundSeconds, queue.seconds),
      },
      boundRatio,
      { atLeast: 0.9 },
      "≥ 0.9 of the bound",
    ),
    targetLine(
      {
        measure: "local provider analyses per second, one core (development set, learned model)",
        tidings: `${Math.round(local.perSecond)} analyses/s`,
        comparedWith: "2 000 analyses/s",
        ratio: ratio(local.perSecond, 2_000),
      },
      localRatio,
      { atLeast: 1 },
      "≥ 2 000/s",
    ),
  ];
  return { queue, local, boundRatio, localRatio, lines };
}

const answer = {
  priority: "normal",
  category: "work",
  needsReply: true,
  summary: "Asks for the numbers.",
  actionItems: [],
  reasons: ["asks you something"],
};

async function queueThroughput(options: { messages: number; concurrency: number; latencyMs: number }) {
  const name = `tidings_bench_ai_${randomBytes(4).toString("hex")}`;
  await postgresAdmin(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = createDatabase({ databaseUrl: url.toString(), poolSize: 8 });
  const prefix = `tidings_bench_${randomBytes(4).toString("hex")}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const fake = await startFakeOpenAi(() => ({ json: completion(JSON.stringify(answer)), delayMs: options.latencyMs }));
  const producer = createBullProducer(redis, prefix);
  let workers: ReturnType<typeof startBullWorkers> | undefined;
  try {
    await migrateToLatest(database.db);
    const jobs = await fill(database.db, options.messages, fake.baseUrl);
    // The worker's wiring (apps/worker): provider calls share `concurrency` slots fairly per user,
    // and the queue hands the processor four times as many jobs as it runs.
    const config = loadConfig({ AI_MAX_RETRIES: "0", MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1" });
    const noop = async () => undefined;
    workers = startBullWorkers(
      {
        ai: createAiProcessor({
          db: database.db,
          config: config.ai,
          encryptionKey: randomBytes(32),
          fetch: createGuardedFetch(parseAllowedPrivateHosts(["127.0.0.1"])),
          events: createMemoryMailEventBus(),
          concurrency: options.concurrency,
        }),
        email: noop,
        mail: noop,
        "mail-send": noop,
        maintenance: noop,
      },
      redis,
      prefix,
      { concurrency: options.concurrency, lockDurationMs: 60_000, queueConcurrency: { ai: options.concurrency * 4 } },
    );
    await workers.ready();

    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const postgresBefore = await postgresCpuTicks(database.db, name);
    if (process.env.BENCH_MARK_WINDOW) process.stderr.write(`window start ${process.hrtime.bigint() / 1000n}\n`);
    await Promise.all(jobs.map((job) => producer.enqueue("ai", "analyze", job, { jobId: `analyze-${job.messageId}` })));
    await waitForAnalyses(database.db, options.messages);
    const seconds = (performance.now() - started) / 1000;
    if (process.env.BENCH_MARK_WINDOW) process.stderr.write(`window end ${process.hrtime.bigint() / 1000n}\n`);
    const cpu = process.cpuUsage(cpuBefore);
    loopDelay.disable();
    const postgresAfter = await postgresCpuTicks(database.db, name);
    const postgresMs = [...postgresAfter].reduce(
      (sum, [pid, ticks]) => sum + ((ticks - (postgresBefore.get(pid) ?? 0)) * 1000) / clockTicksPerSecond,
      0,
    );
    return {
      messages: options.messages,
      concurrency: options.concurrency,
      latencyMs: options.latencyMs,
      seconds,
      boundSeconds: (options.messages * options.latencyMs) / options.concurrency / 1000,
      providerCalls: fake.requests.length,
      // A call as the worker saw it (the ledger's latency: request sent to answer read), against
      // the server's 300 ms; with every slot busy, the ratio is about latencyMs / this.
      callMs: await meanCallMs(database.db),
      // How late this process's timers (the fake server's included) ran: CPU starvation shows here.
      eventLoopDelayMs: { mean: loopDelay.mean / 1e6, p99: loopDelay.percentile(99) / 1e6 },
      // This process (worker, producer, the fake provider) and the Postgres backends serving this
      // database; the shared Redis server is not counted.
      cpuMsPerJob: (cpu.user + cpu.system) / 1000 / options.messages,
      postgresCpuMsPerJob: postgresMs / options.messages,
    };
  } finally {
    await workers?.close();
    await producer.close();
    redis.disconnect();
    await fake.close();
    await database.close();
    await postgresAdmin(`drop database if exists ${name} with (force)`);
    await flushRedisPrefix(prefix);
  }
}

async function meanCallMs(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom("ai_requests")
    .select(({ fn }) => fn.avg<string>("latency_ms").as("mean"))
    .executeTakeFirstOrThrow();
  return Number(row.mean);
}

// Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks.
const clockTicksPerSecond = 100;

/** CPU ticks (user + system) per Postgres backend serving `database`, from /proc (same machine). */
async function postgresCpuTicks(db: Kysely<Database>, database: string): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = ${database}`.execute(db);
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = stat?.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields) ticks.set(pid, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

/** Four users with the compatible provider (the fake) and an inbox each; answers the jobs to queue. */
async function fill(db: Kysely<Database>, messages: number, baseUrl: string) {
  const users = 4;
  const jobs: { userId: string; messageId: string }[] = [];
  for (let u = 0; u < users; u++) {
    const email = `ai${u}@example.test`;
    const { id: userId } = await db
      .insertInto("users")
      .values({ email, email_normalized: email })
      .returning("id")
      .executeTakeFirstOrThrow();
    const account = await insertMailAccount(db, {
      userId,
      email,
      provider: "custom",
      imap: { host: "127.0.0.1", port: 1, security: "none", username: email },
      smtp: { host: "127.0.0.1", port: 1, security: "none", username: email },
      credentialsSealed: "unused",
    });
    await db.updateTable("mail_accounts").set({ ai_enabled: true }).where("id", "=", account.id).execute();
    await updateAiSettings(db, userId, { provider: "compatible", base_url: baseUrl });
    const inbox = await upsertMailFolder(db, account.id, { path: "INBOX", name: "Inbox", role: "inbox" });
    const count = Math.floor(messages / users) + (u < messages % users ? 1 : 0);
    const threadIds = await insertMailThreadsBulk(
      db,
      Array.from({ length: count }, () => ({ accountId: account.id, userId })),
    );
    const rows: Omit<NewMailMessage, "attachments">[] = threadIds.map((threadId, index) => ({
      accountId: account.id,
      userId,
      folderId: inbox.id,
      threadId,
      uid: index + 1,
      messageId: `ai-${u}-${index}@bench`,
      inReplyTo: null,
      references: [],
      from: { name: `Colleague ${index % 40}`, email: `colleague${index % 40}@partner.example` },
      to: [{ name: "Bench", email }],
      cc: [],
      replyTo: [],
      subject: `Budget numbers ${index}`,
      date: new Date(Date.UTC(2026, 11, 4, 8) + index * 60_000),
      text: "Hi, could you review the budget numbers and send me your comments by Friday? Thanks.",
      html: null,
      hasRemoteContent: false,
      flags: { seen: false, flagged: false, answered: false, draft: false },
      size: 2_000,
    }));
    await insertMailMessagesBulk(db, rows);
    await refreshMailThreads(db, threadIds);
    const stored = await db.selectFrom("mail_messages").select("id").where("account_id", "=", account.id).execute();
    for (const row of stored) jobs.push({ userId, messageId: row.id });
  }
  if (jobs.length !== messages) throw new Error(`filled ${jobs.length} messages, wanted ${messages}`);
  return jobs;
}

async function waitForAnalyses(db: Kysely<Database>, messages: number): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const row = await db
      .selectFrom("ai_analyses")
      .select(({ fn }) => fn.countAll<string>().as("count"))
      .executeTakeFirstOrThrow();
    if (Number(row.count) >= messages) return;
    if (Date.now() > deadline) throw new Error(`only ${row.count} of ${messages} analyses after 30 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Analyses per second of analyzeLocally in this thread: each call on a new message object, as new mail is. */
function localThroughput(analyses: number) {
  const predict = predictor(learn(emptyLocalModelState, lessonsFromActions()));
  const inputs = devSet.map((message, index) => ({ email: toEmail(message, index), recipient: recipientFor(message) }));
  const once = (index: number) => {
    const input = inputs[index % inputs.length];
    if (!input) throw new Error("empty development set");
    // A copy, so the per-message cache of its rendered text does not make repeats free.
    analyzeLocally({ ...input.email }, input.recipient, predict);
  };
  for (let index = 0; index < Math.min(1_000, analyses); index++) once(index);
  const started = performance.now();
  for (let index = 0; index < analyses; index++) once(index);
  const seconds = (performance.now() - started) / 1000;
  return { analyses, seconds, perSecond: analyses / seconds };
}
