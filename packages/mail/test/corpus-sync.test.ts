// Issue 16, must-hold 2 at the sync-engine level: real messages (SpamAssassin public corpus) plus
// hand-built conversations in a real Dovecot INBOX, synced by MailboxSync into Postgres. The full
// 2 000-message run, read back over HTTP from a server and worker process, is
// apps/worker/test/mail-musts-http.test.ts; this one keeps a smaller sample and what only the engine
// shows: its pass reports, and a resync that forgets the folders' sync state.
import { listMailFolders, listMailThreadMessages, type MailAccountRow, type MailFolderRow } from "@tidings/db";
import type { TestDatabase } from "@tidings/db/testing";
import {
  appendMessages,
  type ConstructedThread,
  constructedThreads,
  services,
  spamAssassinMessages,
  type TestDovecot,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MailboxSync, parseAllowedPrivateHosts, type SyncResult } from "../src/index.ts";
import { startSyncFixture } from "./sync-fixture.ts";

const PASSWORD = "corpus-password";
const CORPUS_COUNT = 300;
const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 15_000 };

describe.skipIf(!services().dovecot)("MailboxSync over the SpamAssassin corpus and constructed threads", () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let account: MailAccountRow;
  let userId: string;
  const threads: ConstructedThread[] = constructedThreads();
  const constructed = threads.flatMap((thread) => thread.messages);

  const sync = async (): Promise<SyncResult & { ok: true }> => {
    const result = await new MailboxSync({ db: testDb.handle.db, account, imapPassword: PASSWORD, limits }).syncOnce();
    if (!result.ok) throw new Error(`sync failed: ${result.code} ${result.message}`);
    return result;
  };
  const inboxReport = (result: SyncResult & { ok: true }) => result.folders.find((folder) => folder.path === "INBOX");

  const inbox = async (): Promise<MailFolderRow> => {
    const found = (await listMailFolders(testDb.handle.db, account.id)).find((folder) => folder.role === "inbox");
    if (!found) throw new Error("no inbox");
    return found;
  };
  const stored = async () =>
    testDb.handle.db
      .selectFrom("mail_messages")
      .select(["id", "uid", "message_id", "thread_id", "subject", "from_name", "text_body"])
      .where("folder_id", "=", (await inbox()).id)
      .orderBy("uid")
      .execute();
  const serverCount = async () => {
    const client = await dovecot.connect("alice");
    try {
      const status = await client.status("INBOX", { messages: true });
      return status ? (status.messages ?? Number.NaN) : Number.NaN;
    } finally {
      await client.logout();
    }
  };
  const threadOf = async (messageId: string) => {
    const row = (await stored()).find((message) => message.message_id === messageId);
    if (!row) throw new Error(`${messageId} was not stored`);
    return row.thread_id;
  };
  /** Every constructed message of the thread (that is on the server) in one thread, and nothing else. */
  const expectOneThread = async (thread: ConstructedThread, present = thread.messages) => {
    const ids = await Promise.all(present.map((message) => threadOf(message.messageId)));
    expect(new Set(ids).size, `${thread.name} is one thread`).toBe(1);
    const members = await listMailThreadMessages(testDb.handle.db, userId, ids[0] as string);
    expect(members.map((message) => message.message_id).sort()).toEqual(
      present.map((message) => message.messageId).sort(),
    );
  };
  const expectEveryMessageOnce = async () => {
    const rows = await stored();
    expect(rows.length).toBe(await serverCount());
    expect(new Set(rows.map((row) => row.uid)).size).toBe(rows.length);
    // The corpus has no Message-ID twice (copies get new ones), so a doubled message shows here.
    const ids = rows.map((row) => row.message_id).filter((id) => id !== null);
    expect(new Set(ids).size).toBe(ids.length);
  };

  beforeAll(async () => {
    ({ dovecot, testDb, userId, account } = await startSyncFixture(PASSWORD));
    await appendMessages(dovecot, "alice", "INBOX", spamAssassinMessages({ count: CORPUS_COUNT }));
    // In order, one session: the linking messages come only after the first sync.
    const early = constructed.filter((message) => !message.linksLater).map((message) => message.raw);
    await appendMessages(dovecot, "alice", "INBOX", early, { connections: 1 });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([dovecot?.close(), testDb?.drop()]);
  });

  it("stores every message once, decodes encoded subjects and names, and lists attachments", async () => {
    const result = await sync();
    const expected = CORPUS_COUNT + constructed.filter((message) => !message.linksLater).length;
    expect(inboxReport(result)).toMatchObject({ added: expected, rebuilt: false });
    await expectEveryMessageOnce();
    const rows = await stored();
    expect(rows).toHaveLength(expected);
    // Real mail bodies made it in (inside the sync window), not just headers.
    expect(rows.filter((row) => row.text_body !== null && row.text_body.length > 0).length).toBeGreaterThan(
      CORPUS_COUNT * 0.9,
    );

    for (const message of constructed.filter((entry) => !entry.linksLater)) {
      const row = rows.find((entry) => entry.message_id === message.messageId);
      expect(row, message.messageId).toMatchObject({ subject: message.subject, from_name: message.fromName });
    }
    const withFiles = constructed.find((message) => message.attachments.length);
    if (!withFiles) throw new Error("no constructed message with attachments");
    const [message] = (
      await listMailThreadMessages(testDb.handle.db, userId, await threadOf(withFiles.messageId))
    ).filter((entry) => entry.message_id === withFiles.messageId);
    expect(message?.has_attachments).toBe(true);
    expect(
      message?.attachments
        .filter((attachment) => !attachment.inline)
        .map((attachment) => attachment.filename)
        .sort(),
    ).toEqual([...withFiles.attachments].sort());
    // The inline logo is kept as an inline part, not listed as a file.
    expect(message?.attachments.filter((attachment) => attachment.inline).map((entry) => entry.content_type)).toEqual([
      "image/gif",
    ]);
  }, 120_000);

  it("threads each constructed conversation as one thread; the late link is two threads until it arrives", async () => {
    for (const thread of threads) {
      if (thread.messages.some((message) => message.linksLater)) continue;
      await expectOneThread(thread);
    }
    const lateThread = threads.find((thread) => thread.messages.some((message) => message.linksLater));
    if (!lateThread) throw new Error("no thread with a late link");
    const early = lateThread.messages.filter((message) => !message.linksLater);
    const before = new Set(await Promise.all(early.map((message) => threadOf(message.messageId))));
    expect(before.size).toBe(2);

    const linkers = lateThread.messages.filter((message) => message.linksLater);
    await appendMessages(
      dovecot,
      "alice",
      "INBOX",
      linkers.map((message) => message.raw),
      { connections: 1 },
    );
    expect(inboxReport(await sync())).toMatchObject({ added: linkers.length, removed: 0 });
    await expectOneThread(lateThread);
    // The merged-away thread is gone, not left behind empty.
    const remaining = await testDb.handle.db
      .selectFrom("mail_threads")
      .select("id")
      .where("id", "in", [...before])
      .execute();
    expect(remaining).toHaveLength(1);
    for (const thread of threads) await expectOneThread(thread);
  }, 60_000);

  it("a second full pass and a forced resync store no message twice", async () => {
    const before = await stored();
    const again = inboxReport(await sync());
    expect(again).toMatchObject({ added: 0, removed: 0, flagsChanged: 0, rebuilt: false });

    // Forced resync: the folder's sync state is forgotten, so the next pass is a first pass again.
    await testDb.handle.db
      .updateTable("mail_folders")
      .set({ uid_validity: null, uid_next: null, highest_modseq: null })
      .where("account_id", "=", account.id)
      .execute();
    expect(inboxReport(await sync())).toMatchObject({ added: 0 });
    await expectEveryMessageOnce();
    expect((await stored()).map((row) => row.id)).toEqual(before.map((row) => row.id));
    for (const thread of threads) await expectOneThread(thread);
    const account_ = await testDb.handle.db
      .selectFrom("mail_accounts")
      .select(["status", "error_code"])
      .where("id", "=", account.id)
      .executeTakeFirstOrThrow();
    expect(account_).toEqual({ status: "ready", error_code: null });
  }, 120_000);
});
