// Issue 16, must-hold 4 at the sync-engine level: the server recreates a folder (new UIDVALIDITY,
// new UIDs, same messages) and MailboxSync rebuilds it: no duplicates, nothing lost, threads intact.
import { listMailFolders, listMailThreadMessages, type MailAccountRow, type MailFolderRow } from "@tidings/db";
import type { TestDatabase } from "@tidings/db/testing";
import { appendMessages, constructedThreads, services, spamAssassinMessages, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MailboxSync, type MailboxSyncOptions, parseAllowedPrivateHosts, type SyncResult } from "../src/index.ts";
import { startSyncFixture } from "./sync-fixture.ts";

const PASSWORD = "uidvalidity-password";
const CORPUS_COUNT = 300;
const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 15_000 };

describe.skipIf(!services().dovecot)("MailboxSync when a folder's UIDVALIDITY changes", () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let account: MailAccountRow;
  let userId: string;
  const threads = constructedThreads();
  const constructed = threads.flatMap((thread) => thread.messages);
  const rootOf = (name: string) => {
    const root = threads.find((thread) => thread.name === name)?.messages[0];
    if (!root) throw new Error(`no constructed thread ${name}`);
    return root.messageId;
  };
  // A reply the user sent from another client: it threads across folders with an INBOX message.
  const sentReply = [
    "From: Alice Example <alice@example.test>",
    "To: Carol <carol@example.test>",
    "Subject: Re: Budget 2027",
    "Message-ID: <sent-reply@threads.tidings.test>",
    `In-Reply-To: <${rootOf("late-link")}>`,
    `References: <${rootOf("late-link")}>`,
    "Date: Wed, 02 Dec 2026 12:00:00 +0000",
    "",
    "Sounds good.",
    "",
  ].join("\r\n");

  const sync = async (options: Partial<MailboxSyncOptions> = {}): Promise<SyncResult> =>
    new MailboxSync({ db: testDb.handle.db, account, imapPassword: PASSWORD, limits, ...options }).syncOnce();
  const inboxReport = (result: SyncResult) => (result.ok ? result.folders : []).find((f) => f.path === "INBOX");
  const folder = async (path: string): Promise<MailFolderRow> => {
    const found = (await listMailFolders(testDb.handle.db, account.id)).find((entry) => entry.path === path);
    if (!found) throw new Error(`no folder ${path}`);
    return found;
  };
  const stored = async (path = "INBOX") =>
    testDb.handle.db
      .selectFrom("mail_messages")
      .select(["uid", "message_id", "thread_id", "seen", "flagged"])
      .where("folder_id", "=", (await folder(path)).id)
      .orderBy("uid")
      .execute();
  const threadMembers = async (messageId: string) => {
    const row = (await stored()).find((message) => message.message_id === messageId);
    if (!row) throw new Error(`${messageId} is not stored`);
    const members = await listMailThreadMessages(testDb.handle.db, userId, row.thread_id);
    return members.map((message) => message.message_id).sort();
  };
  /** What must survive a rebuild: each message once with its flags, and the thread it shares. */
  const snapshot = async () => {
    const rows = await stored();
    const byMessage = rows.map((row) => `${row.message_id} seen=${row.seen} flagged=${row.flagged}`).sort();
    const constructedThreadsNow: Record<string, (string | null)[]> = {};
    for (const thread of threads)
      constructedThreadsNow[thread.name] = await threadMembers(thread.messages[0]?.messageId ?? "");
    const threadCount = await testDb.handle.db
      .selectFrom("mail_threads")
      .select(({ fn }) => fn.countAll<string>().as("count"))
      .where("account_id", "=", account.id)
      .executeTakeFirstOrThrow();
    return { byMessage, constructedThreadsNow, threadCount: Number(threadCount.count) };
  };
  const expectExactlyTheServer = async () => {
    const server = await dovecot.messages("alice", "INBOX");
    const rows = await stored();
    expect(rows.map((row) => row.uid)).toEqual(server.map((message) => message.uid));
  };

  beforeAll(async () => {
    ({ dovecot, testDb, userId, account } = await startSyncFixture(PASSWORD));
    await appendMessages(dovecot, "alice", "INBOX", spamAssassinMessages({ count: CORPUS_COUNT, seed: 4 }));
    await appendMessages(
      dovecot,
      "alice",
      "INBOX",
      constructed.map((message) => message.raw),
      { connections: 1 },
    );
    await dovecot.append("alice", "Sent", sentReply, { flags: ["\\Seen"] });
    // Flags the rebuild must carry over (recreateFolder keeps each message's flags).
    const uids = (await dovecot.messages("alice", "INBOX")).map((message) => message.uid);
    await dovecot.setFlags("alice", "INBOX", uids.slice(0, 40), ["\\Seen"], "add");
    await dovecot.setFlags("alice", "INBOX", uids.slice(20, 30), ["\\Flagged"], "add");
  }, 120_000);
  afterAll(async () => {
    await Promise.all([dovecot?.close(), testDb?.drop()]);
  });

  it("rebuilds the folder: same messages and flags under the new UIDs, threads intact", async () => {
    const first = await sync();
    expect(first.ok ? "ok" : `${first.code}: ${first.message}`).toBe("ok");
    expect(inboxReport(first)).toMatchObject({ added: CORPUS_COUNT + constructed.length, rebuilt: false });
    const before = await snapshot();
    for (const thread of threads) {
      expect(before.constructedThreadsNow[thread.name]).toEqual(
        thread.messages
          .map((message) => message.messageId)
          .concat(thread.name === "late-link" ? ["sent-reply@threads.tidings.test"] : [])
          .sort(),
      );
    }
    const oldUids = (await stored()).map((row) => row.uid);
    const oldValidity = (await folder("INBOX")).uid_validity;

    const newValidity = await dovecot.recreateFolder("alice", "INBOX");
    expect(newValidity).not.toBe(oldValidity);
    const rebuilt = await sync();
    expect(rebuilt).toMatchObject({ ok: true });
    expect(inboxReport(rebuilt)).toMatchObject({ rebuilt: true, added: oldUids.length });
    expect((await folder("INBOX")).uid_validity).toBe(newValidity);

    const after = await snapshot();
    expect(after).toEqual(before);
    await expectExactlyTheServer();
    expect((await stored()).map((row) => row.uid).some((uid) => oldUids.includes(uid))).toBe(false);
    // The Sent copy was never touched and still shares its thread with the rebuilt INBOX message.
    expect((await stored("Sent")).map((row) => row.message_id)).toEqual(["sent-reply@threads.tidings.test"]);

    const quiet = await sync();
    expect(inboxReport(quiet)).toMatchObject({ added: 0, removed: 0, flagsChanged: 0, rebuilt: false });
  }, 120_000);

  it("a rebuild cut off by the server going away finishes on the next pass, nothing lost or doubled", async () => {
    const before = await snapshot();
    await dovecot.recreateFolder("alice", "INBOX");
    let stopped = false;
    const interrupted = await sync({
      batchSize: 50,
      onBatch: async (progress) => {
        if (progress.path !== "INBOX" || stopped) return;
        stopped = true;
        await dovecot.stop();
      },
    });
    await dovecot.start();
    expect(stopped).toBe(true);
    expect(interrupted).toMatchObject({ ok: false, retry: true, code: "MAIL_CONNECTION_FAILED" });
    const partial = await stored();
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(before.byMessage.length);

    expect(await sync()).toMatchObject({ ok: true });
    expect(await snapshot()).toEqual(before);
    await expectExactlyTheServer();
  }, 120_000);
});
