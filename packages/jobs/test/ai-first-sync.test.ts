import { randomBytes } from "node:crypto";
import { loadConfig } from "@tidings/config";
import type { MailAccountRow } from "@tidings/db";
import type { TestDatabase } from "@tidings/db/testing";
import { createGuardedFetch, createMemoryMailEventBus, MailboxSync, parseAllowedPrivateHosts } from "@tidings/mail";
import { services, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSyncFixture } from "../../mail/test/sync-fixture.ts";
import { createAiProcessor, createInProcessProducer, queueFirstSyncAnalyses } from "../src/index.ts";

// Issue 18: mail from an account's first sync is analysed too (the newest of its inbox inside the
// sync window, bounded), and header rules see the headers the sync stored: synced from a test
// Dovecot, analysed by the real `ai` processor with the local provider.

const PASSWORD = `first-sync-${randomBytes(6).toString("hex")}`;
const HOUR = 3_600_000;

function raw(options: { id: string; from: string; subject: string; body: string; headers?: string[] }): string {
  return [
    `From: ${options.from}`,
    "To: Alice <alice@example.test>",
    `Subject: ${options.subject}`,
    `Message-ID: <${options.id}>`,
    ...(options.headers ?? []),
    "",
    options.body,
    "",
  ].join("\r\n");
}

describe.skipIf(!services().dovecot)("analyses of an account's first sync", () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let account: MailAccountRow;
  let userId: string;
  const db = () => testDb.handle.db;

  async function analyseFirstSync(limit: number): Promise<string[]> {
    const config = loadConfig({});
    const failures: unknown[] = [];
    const producer = createInProcessProducer(
      {
        ai: createAiProcessor({
          db: db(),
          config: config.ai,
          encryptionKey: randomBytes(32),
          fetch: createGuardedFetch(parseAllowedPrivateHosts([])),
          events: createMemoryMailEventBus(),
          concurrency: 2,
        }),
        email: async () => undefined,
        mail: async () => undefined,
        "mail-send": async () => undefined,
        maintenance: async () => undefined,
      },
      (error) => failures.push(error),
    );
    const queued = await queueFirstSyncAnalyses(db(), producer, { userId, accountId: account.id }, { limit });
    await producer.close();
    expect(failures).toEqual([]);
    return queued;
  }

  const analysisOf = (messageId: string) =>
    db().selectFrom("ai_analyses").selectAll().where("message_id", "=", messageId).executeTakeFirstOrThrow();

  const idOf = async (messageId: string) =>
    (
      await db()
        .selectFrom("mail_messages")
        .select(["id", "headers"])
        .where("message_id", "=", messageId)
        .executeTakeFirstOrThrow()
    ).id;

  beforeAll(async () => {
    ({ dovecot, testDb, userId, account } = await startSyncFixture(PASSWORD));
    const now = Date.now();
    for (let i = 0; i < 6; i++) {
      await dovecot.append(
        "alice",
        "INBOX",
        raw({ id: `person-${i}@t`, from: "Bob <bob@example.test>", subject: `Plans ${i}`, body: "See you soon." }),
        { internalDate: new Date(now - (i + 2) * HOUR) },
      );
    }
    // Without their headers these read as a person asking Alice something.
    await dovecot.append(
      "alice",
      "INBOX",
      raw({
        id: "list@t",
        from: "Sam <sam@rust-meetup.example>",
        subject: "Meetup on Thursday",
        body: "Can you make it to the meetup on Thursday?",
        headers: ["List-Id: Rust meetup <rust.meetup.example>", "List-Unsubscribe: <https://meetup.example/u>"],
      }),
      { internalDate: new Date(now - HOUR) },
    );
    await dovecot.append(
      "alice",
      "INBOX",
      raw({
        id: "auto@t",
        from: "Kim <kim@partner.example>",
        subject: "Out of office",
        body: "I am away until Monday. Could you write to Joe instead?",
        headers: ["Auto-Submitted: auto-replied"],
      }),
      { internalDate: new Date(now - HOUR / 2) },
    );
    // Outside the 30-day sync window: stored with its headers only, never analysed.
    await dovecot.append(
      "alice",
      "INBOX",
      raw({ id: "old@t", from: "Bob <bob@example.test>", subject: "Old", body: "Long ago?" }),
      { internalDate: new Date(now - 60 * 24 * HOUR) },
    );
    const result = await new MailboxSync({
      db: db(),
      account,
      imapPassword: PASSWORD,
      limits: { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 5_000 },
    }).syncOnce();
    expect(result.ok).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([dovecot?.close(), testDb?.drop()]);
  });

  it("stores the rule headers at sync, and the header rules classify list and auto-submitted mail", async () => {
    const stored = await db()
      .selectFrom("mail_messages")
      .select(["message_id", "headers"])
      .where("message_id", "in", ["list@t", "auto@t"])
      .orderBy("message_id")
      .execute();
    expect(stored).toEqual([
      { message_id: "auto@t", headers: { "auto-submitted": "auto-replied" } },
      {
        message_id: "list@t",
        headers: { "list-id": "Rust meetup <rust.meetup.example>", "list-unsubscribe": "<https://meetup.example/u>" },
      },
    ]);

    const queued = await analyseFirstSync(4);
    // The newest four of the inbox, newest first.
    expect(queued).toEqual(await Promise.all(["auto@t", "list@t", "person-0@t", "person-1@t"].map(idOf)));
    expect(await analysisOf(await idOf("list@t"))).toMatchObject({
      status: "ready",
      category: "newsletter",
      needs_reply: false,
      priority: "low",
    });
    expect((await analysisOf(await idOf("list@t"))).reasons).toContain("sent to a mailing list");
    expect(await analysisOf(await idOf("auto@t"))).toMatchObject({
      status: "ready",
      category: "notification",
      needs_reply: false,
    });
  });

  it("is bounded by the newest messages inside the sync window, and queues nothing twice", async () => {
    // The same bound again: all four are analysed, nothing is queued.
    expect(await analyseFirstSync(4)).toEqual([]);
    // A larger bound takes the rest of the window, never the message from before it.
    const rest = await analyseFirstSync(50);
    expect(rest).toEqual(await Promise.all([2, 3, 4, 5].map((i) => idOf(`person-${i}@t`))));
    const analysed = await db().selectFrom("ai_analyses").select("message_id").execute();
    expect(analysed).toHaveLength(8);
    expect(analysed.map((row) => row.message_id)).not.toContain(await idOf("old@t"));
  });
});
