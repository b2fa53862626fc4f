import { randomBytes } from "node:crypto";
import {
  analyzeMailTables,
  createDatabase,
  type Database,
  insertMailAccount,
  insertMailMessagesBulk,
  insertMailThreadsBulk,
  type Kysely,
  listMailThreadDetails,
  listMailThreads,
  type MailThreadListOptions,
  migrateToLatest,
  type NewMailMessage,
  refreshMailThreads,
  upsertMailFolder,
} from "@tidings/db";
import { parseSearchQuery } from "@tidings/mail";
import { POSTGRES_ADMIN_URL, postgresAdmin, type ReportLine, ratio, targetLine } from "./lib.ts";

/**
 * How `mail.threads` grows with a mailbox: one user with 1 000 and with 100 000 generated messages
 * (two per thread), the p95 of the first page of the unified list and of a selective search (a word
 * in the same 10 messages at both sizes), measured on the queries the procedure runs (the thread
 * page and its folders and participants). Targets are ratios, not times: list ≤ 2×, search ≤ 3×.
 */
export async function run(options: Record<string, string>): Promise<Record<string, unknown>> {
  const small = Number(options.mailSmall ?? 1_000);
  const large = Number(options.mailLarge ?? 100_000);
  const rounds = Number(options.mailRounds ?? 60);
  const smallResult = await measure(small, rounds);
  const largeResult = await measure(large, rounds);
  const listRatio = Number(ratio(largeResult.listP95Ms, smallResult.listP95Ms));
  const searchRatio = Number(ratio(largeResult.searchP95Ms, smallResult.searchP95Ms));
  const lines: ReportLine[] = [
    targetLine(
      {
        measure: `mail.threads first page p95, ${large} vs ${small} messages`,
        tidings: `${largeResult.listP95Ms} ms`,
        comparedWith: `${smallResult.listP95Ms} ms`,
        ratio: listRatio.toFixed(2),
      },
      listRatio,
      { atMost: 2 },
      "≤ 2×",
    ),
    targetLine(
      {
        measure: `mail.threads selective search p95, ${large} vs ${small} messages`,
        tidings: `${largeResult.searchP95Ms} ms`,
        comparedWith: `${smallResult.searchP95Ms} ms`,
        ratio: searchRatio.toFixed(2),
      },
      searchRatio,
      { atMost: 3 },
      "≤ 3×",
    ),
  ];
  return { small: smallResult, large: largeResult, listRatio, searchRatio, lines };
}

const RARE_WORD = "zebracorn";
const RARE_MESSAGES = 10;
const vocabulary = Array.from({ length: 2_000 }, (_, index) => `w${index.toString(36)}x`);

async function measure(messages: number, rounds: number) {
  const name = `tidings_bench_mail_${randomBytes(4).toString("hex")}`;
  await postgresAdmin(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = createDatabase({ databaseUrl: url.toString(), poolSize: 4 });
  try {
    await migrateToLatest(database.db);
    const userId = await fill(database.db, messages);
    const page = async (options: Omit<MailThreadListOptions, "userId">) => {
      const result = await listMailThreads(database.db, { userId, limit: 50, ...options });
      await listMailThreadDetails(
        database.db,
        result.items.map((thread) => thread.id),
      );
      return result.items.length;
    };
    const search = parseSearchQuery(RARE_WORD);
    if ((await page({ search })) === 0) throw new Error("the selective search found nothing");
    return {
      messages,
      listP95Ms: await p95(rounds, () => page({})),
      searchP95Ms: await p95(rounds, () => page({ search })),
    };
  } finally {
    await database.close();
    await postgresAdmin(`drop database if exists ${name} with (force)`);
  }
}

/** One user, one account, an inbox of `messages` generated messages two to a thread. */
async function fill(db: Kysely<Database>, messages: number): Promise<string> {
  const { id: userId } = await db
    .insertInto("users")
    .values({ email: "bench@example.test", email_normalized: "bench@example.test" })
    .returning("id")
    .executeTakeFirstOrThrow();
  const account = await insertMailAccount(db, {
    userId,
    email: "bench@example.test",
    provider: "custom",
    imap: { host: "127.0.0.1", port: 1, security: "none", username: "bench" },
    smtp: { host: "127.0.0.1", port: 1, security: "none", username: "bench" },
    credentialsSealed: "unused",
  });
  const inbox = await upsertMailFolder(db, account.id, { path: "INBOX", name: "Inbox", role: "inbox" });
  const rareEvery = Math.floor(messages / RARE_MESSAGES);
  const start = Date.UTC(2026, 0, 1);
  const batch = 1_000;
  let random = 42;
  const next = () => {
    random = (random * 1_103_515_245 + 12_345) % 2_147_483_648;
    return random;
  };
  for (let first = 0; first < messages; first += batch) {
    const count = Math.min(batch, messages - first);
    const threadIds = await insertMailThreadsBulk(
      db,
      Array.from({ length: Math.ceil(count / 2) }, () => ({ accountId: account.id, userId })),
    );
    const rows: Omit<NewMailMessage, "attachments">[] = [];
    for (let offset = 0; offset < count; offset += 1) {
      const index = first + offset;
      const words = Array.from({ length: 40 }, () => vocabulary[next() % vocabulary.length]);
      if (index % rareEvery === 0 && index / rareEvery < RARE_MESSAGES) words.push(RARE_WORD);
      const sender = next() % 300;
      rows.push({
        accountId: account.id,
        userId,
        folderId: inbox.id,
        threadId: threadIds[Math.floor(offset / 2)] ?? "",
        uid: index + 1,
        messageId: `m${index}@bench`,
        inReplyTo: null,
        references: [],
        from: { name: `Sender ${sender}`, email: `sender${sender}@example.test` },
        to: [{ name: "Bench", email: "bench@example.test" }],
        cc: [],
        replyTo: [],
        subject: `${words[0]} ${words[1]} ${words[2]}`,
        // Spread over a year, so the newest threads are a small slice of a large mailbox.
        date: new Date(start + Math.floor((index / messages) * 365 * 86_400_000)),
        text: words.join(" "),
        html: null,
        hasRemoteContent: false,
        flags: { seen: next() % 4 !== 0, flagged: false, answered: false, draft: false },
        size: 2_000,
      });
    }
    await insertMailMessagesBulk(db, rows);
    await refreshMailThreads(db, threadIds);
  }
  await analyzeMailTables(db);
  return userId;
}

async function p95(rounds: number, call: () => Promise<unknown>): Promise<number> {
  // Warm up (JIT, connections, cached plans and pages) so that both sizes are measured alike.
  for (let warm = 0; warm < 20; warm += 1) await call();
  const times: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)] ?? 0) * 100) / 100;
}
