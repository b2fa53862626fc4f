import {
  clearMailFolder,
  insertMailAccount,
  listMailFolders,
  type MailAccountRow,
  upsertMailFolder,
} from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { services, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MailboxSync,
  type MessageToStore,
  type ParsedMessage,
  parseAllowedPrivateHosts,
  storeMessage,
  storeMessages,
} from "../src/index.ts";
import { startSyncFixture } from "./sync-fixture.ts";

const PASSWORD = "batch-password";
const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 10_000 };

interface Mail {
  id: string | null;
  inReplyTo?: string;
  references?: string[];
}

/**
 * In UID order. The initial sync takes the newest UIDs first, so with small batches the members
 * of each thread land in different batches: b-1 and b-3 are two threads until b-2 (the oldest UID,
 * stored last) links them, c-1 and c-2 sit side by side (one batch or two, by batch size), dup@t
 * is in the folder twice.
 */
const mails: Mail[] = [
  { id: "b-2@t", inReplyTo: "b-1@t", references: ["b-1@t"] },
  { id: "a-1@t" },
  { id: "single-1@t" },
  { id: "dup@t" },
  { id: "a-2@t", inReplyTo: "a-1@t", references: ["a-1@t"] },
  { id: null },
  { id: "b-1@t" },
  { id: "single-2@t" },
  { id: "c-1@t" },
  { id: "c-2@t", inReplyTo: "c-1@t", references: ["c-1@t"] },
  { id: "single-3@t" },
  { id: "dup@t" },
  { id: "a-3@t", inReplyTo: "a-2@t", references: ["a-1@t", "a-2@t"] },
  { id: "b-3@t", inReplyTo: "b-2@t", references: ["b-2@t"] },
];

/** Threads as sets of Message-IDs ("(none)" for the message without one), sorted for comparing. */
const expectedThreads = [
  ["(none)"],
  ["a-1@t", "a-2@t", "a-3@t"],
  ["b-1@t", "b-2@t", "b-3@t"],
  ["c-1@t", "c-2@t"],
  ["dup@t", "dup@t"],
  ["single-1@t"],
  ["single-2@t"],
  ["single-3@t"],
];

function raw(mail: Mail, index: number): string {
  return [
    "From: Bob <bob@example.test>",
    "To: Alice <alice@example.test>",
    `Subject: Mail ${index}`,
    ...(mail.id ? [`Message-ID: <${mail.id}>`] : []),
    ...(mail.inReplyTo ? [`In-Reply-To: <${mail.inReplyTo}>`] : []),
    ...(mail.references ? [`References: ${mail.references.map((id) => `<${id}>`).join(" ")}`] : []),
    `Date: Thu, 03 Dec 2026 10:${String(index).padStart(2, "0")}:00 +0000`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Body ${index}`,
    "",
  ].join("\r\n");
}

function partition(rows: readonly { thread_id: string; message_id: string | null }[]): string[][] {
  const threads = new Map<string, string[]>();
  for (const row of rows)
    threads.set(row.thread_id, [...(threads.get(row.thread_id) ?? []), row.message_id ?? "(none)"]);
  return [...threads.values()].map((ids) => ids.sort()).sort((a, b) => a.join().localeCompare(b.join()));
}

async function threadState(testDb: TestDatabase, accountId: string) {
  const db = testDb.handle.db;
  const messages = await db
    .selectFrom("mail_messages")
    .select(["uid", "thread_id", "message_id"])
    .where("account_id", "=", accountId)
    .orderBy("uid")
    .execute();
  const threads = await db
    .selectFrom("mail_threads")
    .select(["id", "message_count"])
    .where("account_id", "=", accountId)
    .execute();
  return { messages, threads };
}

describe.skipIf(!services().dovecot)("initial sync in batches", () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let account: MailAccountRow;

  beforeAll(async () => {
    ({ dovecot, testDb, account } = await startSyncFixture(PASSWORD));
    for (const [index, mail] of mails.entries()) await dovecot.append("alice", "INBOX", raw(mail, index));
  }, 60_000);
  afterAll(async () => {
    await Promise.all([dovecot?.close(), testDb?.drop()]);
  });

  // 1: one message a batch; 3 and 4: thread members on both sides of boundaries; 100: one batch.
  it.each([1, 3, 4, 100])(
    "batches of %i store every message once and thread across batch boundaries",
    async (batchSize) => {
      const inbox = (await listMailFolders(testDb.handle.db, account.id)).find((folder) => folder.path === "INBOX");
      if (inbox) await clearMailFolder(testDb.handle.db, inbox.id);
      const result = await new MailboxSync({
        db: testDb.handle.db,
        account,
        imapPassword: PASSWORD,
        limits,
        batchSize,
        folders: (path) => path === "INBOX",
        now: () => new Date("2026-12-04T00:00:00Z"),
      }).syncOnce();
      expect(result).toMatchObject({ ok: true });
      const { messages, threads } = await threadState(testDb, account.id);
      expect(messages.map((message) => Number(message.uid))).toEqual(mails.map((_, index) => index + 1));
      expect(partition(messages)).toEqual(expectedThreads);
      // No thread left empty by a merge, and each one's count is its messages'.
      expect(threads).toHaveLength(expectedThreads.length);
      for (const thread of threads) {
        expect(thread.message_count).toBe(messages.filter((message) => message.thread_id === thread.id).length);
      }

      // A cut-off first pass that starts over stores nothing twice.
      await testDb.handle.db
        .updateTable("mail_folders")
        .set({ uid_validity: null, uid_next: null, highest_modseq: null })
        .where("account_id", "=", account.id)
        .execute();
      const again = await new MailboxSync({
        db: testDb.handle.db,
        account,
        imapPassword: PASSWORD,
        limits,
        batchSize,
        folders: (path) => path === "INBOX",
      }).syncOnce();
      expect(again.ok && again.folders.reduce((sum, folder) => sum + folder.added, 0)).toBe(0);
      expect(partition((await threadState(testDb, account.id)).messages)).toEqual(expectedThreads);
    },
    120_000,
  );
});

describe("storeMessages", () => {
  let testDb: TestDatabase;
  let userId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    userId = (
      await testDb.handle.db
        .insertInto("users")
        .values({ email: "batch@example.test", email_normalized: "batch@example.test" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  }, 60_000);
  afterAll(async () => {
    await testDb?.drop();
  });

  const newAccount = async (email: string) => {
    const account = await insertMailAccount(testDb.handle.db, {
      userId,
      email,
      provider: "custom",
      imap: { host: "127.0.0.1", port: 1, security: "none", username: email },
      smtp: { host: "127.0.0.1", port: 1, security: "none", username: email },
      credentialsSealed: "sealed-elsewhere",
      syncDays: 30,
    });
    const folder = await upsertMailFolder(testDb.handle.db, account.id, {
      path: "INBOX",
      name: "Inbox",
      role: "inbox",
    });
    return { accountId: account.id, folderId: folder.id };
  };

  const message = (
    target: { accountId: string; folderId: string },
    uid: number,
    mail: Mail & { provider?: string },
  ): MessageToStore => {
    const parsed: ParsedMessage = {
      messageId: mail.id,
      inReplyTo: mail.inReplyTo ?? null,
      references: mail.references ?? [],
      from: { name: "Bob", email: "bob@example.test" },
      to: [],
      cc: [],
      replyTo: [],
      date: new Date(Date.UTC(2026, 11, 3, 10, uid)),
      subject: `Mail ${uid}`,
      text: `Body ${uid}`,
      html: null,
      hasRemoteContent: false,
      headers: {},
      attachments:
        uid % 2
          ? [{ filename: `f${uid}.txt`, contentType: "text/plain", size: 3, inline: false, contentId: null }]
          : [],
    };
    return {
      ...target,
      userId,
      uid,
      modseq: null,
      flags: new Set(uid % 3 ? [] : ["\\Seen"]),
      internalDate: new Date(Date.UTC(2026, 11, 3)),
      size: 100,
      providerThreadId: mail.provider ?? null,
      parsed,
      withBody: true,
    };
  };

  it("files a batch exactly as one message at a time would: merges with stored threads and inside the batch", async () => {
    // Stored before: two threads that a message of the batch links, and a provider thread.
    const before: (Mail & { provider?: string })[] = [
      { id: "x-1@t" },
      { id: "x-3@t", inReplyTo: "x-2@t", references: ["x-2@t"] },
      { id: "g-1@t", provider: "1790" },
    ];
    const batch: (Mail & { provider?: string })[] = [
      { id: "y-2@t", inReplyTo: "y-1@t" },
      { id: "x-2@t", inReplyTo: "x-1@t", references: ["x-1@t"] },
      { id: "y-1@t" },
      { id: "g-2@t", provider: "1790" },
      { id: "h-1@t", provider: "1791" },
      { id: "h-2@t", provider: "1791" },
      { id: "z-3@t", references: ["z-1@t", "z-2@t"] },
      { id: "z-1@t" },
      { id: "lone@t" },
      { id: null },
    ];
    const oneByOne = await newAccount("one@example.test");
    const batched = await newAccount("batch@example.test");
    const db = testDb.handle.db;
    for (const target of [oneByOne, batched]) {
      for (const [index, mail] of before.entries()) {
        await db.transaction().execute((trx) => storeMessage(trx, message(target, index + 1, mail)));
      }
    }
    for (const [index, mail] of batch.entries()) {
      await db.transaction().execute((trx) => storeMessage(trx, message(oneByOne, index + 10, mail)));
    }
    const stored = await db.transaction().execute((trx) =>
      storeMessages(
        trx,
        [...batch.entries()].map(([index, mail]) => message(batched, index + 10, mail)),
      ),
    );
    expect(stored.every((entry) => entry !== null)).toBe(true);

    const summary = async (accountId: string) => {
      const { messages } = await threadState(testDb, accountId);
      const threads = await db
        .selectFrom("mail_threads")
        .select(["id", "provider_thread_id", "message_count", "unread_count", "has_attachments", "subject"])
        .where("account_id", "=", accountId)
        .execute();
      const links = await db
        .selectFrom("mail_thread_links")
        .select(["message_id", "thread_id"])
        .where("account_id", "=", accountId)
        .execute();
      const attachments = await db
        .selectFrom("mail_attachments as a")
        .innerJoin("mail_messages as m", "m.id", "a.message_id")
        .select("a.filename")
        .where("m.account_id", "=", accountId)
        .execute();
      const members = (threadId: string) =>
        messages
          .filter((entry) => entry.thread_id === threadId)
          .map((entry) => entry.message_id ?? "(none)")
          .sort()
          .join();
      return {
        threads: threads
          .map(({ id, ...thread }) => ({ ...thread, members: members(id) }))
          .sort((a, b) => a.members.localeCompare(b.members)),
        links: links.map((link) => `${link.message_id}→${members(link.thread_id)}`).sort(),
        attachments: attachments.map((row) => row.filename).sort(),
        count: messages.length,
      };
    };
    const expected = await summary(oneByOne.accountId);
    expect(expected.count).toBe(before.length + batch.length);
    expect(expected.threads.map((thread) => thread.members)).toContain("x-1@t,x-2@t,x-3@t");
    expect(await summary(batched.accountId)).toEqual(expected);

    // The same batch again: nothing stored twice, no thread left behind.
    const again = await db.transaction().execute((trx) =>
      storeMessages(
        trx,
        [...batch.entries()].map(([index, mail]) => message(batched, index + 10, mail)),
      ),
    );
    expect(again.every((entry) => entry === null)).toBe(true);
    expect(await summary(batched.accountId)).toEqual(expected);
  }, 60_000);
});
