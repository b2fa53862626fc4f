import {
  findMailAccount,
  listMailFolders,
  listMailThreadMessages,
  listMailThreads,
  type MailAccountRow,
} from "@tidings/db";
import type { TestDatabase } from "@tidings/db/testing";
import { services, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MailboxSync, parseAllowedPrivateHosts, type SyncChange } from "../src/index.ts";
import { startSyncFixture } from "./sync-fixture.ts";

const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 5_000 };
const PASSWORD = "sync-password";

function raw(options: {
  id: string;
  subject: string;
  inReplyTo?: string;
  references?: string[];
  date?: string;
  from?: string;
  body?: string;
}): string {
  return [
    `From: ${options.from ?? "Bob <bob@example.test>"}`,
    "To: Alice <alice@example.test>",
    `Subject: ${options.subject}`,
    `Message-ID: <${options.id}>`,
    ...(options.inReplyTo ? [`In-Reply-To: <${options.inReplyTo}>`] : []),
    ...(options.references ? [`References: ${options.references.map((id) => `<${id}>`).join(" ")}`] : []),
    `Date: ${options.date ?? "Thu, 03 Dec 2026 10:00:00 +0000"}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    options.body ?? `Body of ${options.subject}`,
    "",
  ].join("\r\n");
}

describe.skipIf(!services().dovecot)("MailboxSync against Dovecot", () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let account: MailAccountRow;
  let userId: string;

  const sync = (overrides: { password?: string; useQresync?: boolean; onChange?: (change: SyncChange) => void } = {}) =>
    new MailboxSync({
      db: testDb.handle.db,
      account,
      imapPassword: overrides.password ?? PASSWORD,
      limits,
      batchSize: 7,
      useQresync: overrides.useQresync,
      onChange: overrides.onChange,
      now: () => new Date("2026-12-04T00:00:00Z"),
    }).syncOnce();

  const inboxMessages = async () => {
    const folders = await listMailFolders(testDb.handle.db, account.id);
    const inbox = folders.find((folder) => folder.role === "inbox");
    if (!inbox) throw new Error("no inbox");
    return testDb.handle.db
      .selectFrom("mail_messages")
      .selectAll()
      .where("folder_id", "=", inbox.id)
      .orderBy("uid")
      .execute();
  };

  beforeAll(async () => {
    ({ dovecot, testDb, userId, account } = await startSyncFixture(PASSWORD));
    // 20 unrelated messages, a thread of three delivered out of order, one old message.
    for (let index = 0; index < 20; index += 1) {
      await dovecot.append("alice", "INBOX", raw({ id: `single-${index}@t`, subject: `Single ${index}` }));
    }
    await dovecot.append(
      "alice",
      "INBOX",
      raw({
        id: "t-3@t",
        subject: "Re: Re: Trip",
        references: ["t-1@t", "t-2@t"],
        date: "Thu, 03 Dec 2026 12:00:00 +0000",
      }),
    );
    await dovecot.append("alice", "INBOX", raw({ id: "t-1@t", subject: "Trip" }), { flags: ["\\Seen"] });
    await dovecot.append(
      "alice",
      "INBOX",
      raw({ id: "t-2@t", subject: "Re: Trip", inReplyTo: "t-1@t", date: "Thu, 03 Dec 2026 11:00:00 +0000" }),
    );
    await dovecot.append(
      "alice",
      "INBOX",
      raw({ id: "old@t", subject: "Old news", date: "Mon, 01 Jun 2026 10:00:00 +0000", body: "ancient body" }),
      { internalDate: new Date("2026-06-01T10:00:00Z") },
    );
    await dovecot.append("alice", "Sent", raw({ id: "sent-1@t", subject: "Sent one", inReplyTo: "single-0@t" }));
  }, 60_000);
  afterAll(async () => {
    await Promise.all([dovecot?.close(), testDb?.drop()]);
  });

  it("syncs folders with roles, every message once, threads, and headers only beyond the window", async () => {
    const result = await sync();
    expect(result).toMatchObject({ ok: true });
    const folders = await listMailFolders(testDb.handle.db, account.id);
    expect(Object.fromEntries(folders.map((folder) => [folder.path, folder.role]))).toEqual({
      INBOX: "inbox",
      Sent: "sent",
      Drafts: "drafts",
      Trash: "trash",
      Junk: "junk",
      Archive: "archive",
    });
    const messages = await inboxMessages();
    expect(messages).toHaveLength(24);
    expect(new Set(messages.map((message) => message.message_id)).size).toBe(24);

    const trip = messages.filter((message) => message.message_id?.startsWith("t-"));
    expect(new Set(trip.map((message) => message.thread_id)).size).toBe(1);
    const tripThread = await listMailThreadMessages(testDb.handle.db, userId, trip[0]?.thread_id ?? "");
    expect(tripThread.map((message) => message.message_id)).toEqual(["t-1@t", "t-2@t", "t-3@t"]);
    // The Sent reply joins the thread of the message it answers, across folders.
    const single0 = messages.find((message) => message.message_id === "single-0@t");
    const sentThread = await listMailThreadMessages(testDb.handle.db, userId, single0?.thread_id ?? "");
    expect(sentThread.map((message) => message.message_id).sort()).toEqual(["sent-1@t", "single-0@t"]);

    const old = messages.find((message) => message.message_id === "old@t");
    expect(old).toMatchObject({ subject: "Old news", text_body: null });
    expect(messages.find((message) => message.message_id === "t-1@t")).toMatchObject({
      seen: true,
      text_body: "Body of Trip\n",
    });
    expect(await findMailAccount(testDb.handle.db, userId, account.id)).toMatchObject({ status: "ready" });
    // 20 singles + trip + old; single-0 shares its thread with the Sent reply.
    expect((await listMailThreads(testDb.handle.db, { userId, limit: 200 })).items).toHaveLength(22);
  });

  it("picks up new mail, flag changes (CONDSTORE) and deletions (QRESYNC), and a resync doubles nothing", async () => {
    const before = await inboxMessages();
    const { uid: newUid } = await dovecot.append("alice", "INBOX", raw({ id: "new@t", subject: "Fresh" }));
    const flagged = before.find((message) => message.message_id === "single-5@t");
    const doomed = before.find((message) => message.message_id === "single-6@t");
    if (!flagged || !doomed) throw new Error("missing fixtures");
    await dovecot.setFlags("alice", "INBOX", [flagged.uid], ["\\Flagged", "\\Seen"], "add");
    await dovecot.expunge("alice", "INBOX", [doomed.uid]);

    const result = await sync();
    expect(result.ok && result.folders.find((folder) => folder.path === "INBOX")).toEqual({
      path: "INBOX",
      added: 1,
      flagsChanged: 1,
      removed: 1,
      deletionsBy: "vanished",
      rebuilt: false,
    });
    const after = await inboxMessages();
    expect(after.map((message) => message.uid)).toEqual(
      [...before.map((message) => message.uid).filter((uid) => uid !== doomed.uid), newUid].sort((a, b) => a - b),
    );
    expect(after.find((message) => message.uid === flagged.uid)).toMatchObject({ flagged: true, seen: true });

    const again = await sync();
    expect(again.ok && again.folders.every((folder) => folder.added + folder.removed + folder.flagsChanged === 0)).toBe(
      true,
    );
    expect(await inboxMessages()).toHaveLength(after.length);
  });

  it("finds deletions by comparing UIDs where QRESYNC is not used", async () => {
    const before = await inboxMessages();
    const doomed = before.find((message) => message.message_id === "single-7@t");
    if (!doomed) throw new Error("missing fixture");
    await dovecot.expunge("alice", "INBOX", [doomed.uid]);
    const result = await sync({ useQresync: false });
    expect(result.ok && result.folders.find((folder) => folder.path === "INBOX")).toMatchObject({
      removed: 1,
      deletionsBy: "uids",
    });
    expect((await inboxMessages()).map((message) => message.uid)).not.toContain(doomed.uid);
  });

  it("a flag changed by another client while a pass has the folder open is picked up by the next pass", async () => {
    const before = await inboxMessages();
    const [first, second] = ["single-8@t", "single-9@t"].map((id) => before.find((row) => row.message_id === id));
    if (!first || !second) throw new Error("missing fixtures");
    await dovecot.setFlags("alice", "INBOX", [first.uid], ["\\Flagged"], "add");
    let starred = false;
    const result = await new MailboxSync({
      db: testDb.handle.db,
      account,
      imapPassword: PASSWORD,
      limits,
      useQresync: false,
      folders: (path) => path === "INBOX",
      // After the pass has read the flag changes, another client stars a second message: the server
      // tells the open session of it on its next command, and that MODSEQ is past what was read.
      onChange: async (change) => {
        if (change.type !== "thread.updated" || starred) return;
        starred = true;
        await dovecot.setFlags("alice", "INBOX", [second.uid], ["\\Flagged"], "add");
      },
    }).syncOnce();
    expect(result.ok && result.folders[0]).toMatchObject({ flagsChanged: 1 });
    expect(starred).toBe(true);
    expect(await sync()).toMatchObject({ ok: true });
    const after = await inboxMessages();
    expect(after.filter((row) => row.flagged).map((row) => row.message_id)).toEqual(
      expect.arrayContaining(["single-8@t", "single-9@t"]),
    );
  });

  it("tells of threads merged away, threads that lost a message, and threads left empty", async () => {
    await dovecot.append("alice", "INBOX", raw({ id: "m-x@t", subject: "Plans" }));
    await dovecot.append("alice", "INBOX", raw({ id: "m-y@t", subject: "Other plans" }));
    await sync();
    const threadOf = async (messageId: string) =>
      (await inboxMessages()).find((message) => message.message_id === messageId)?.thread_id;
    const [x, y] = [await threadOf("m-x@t"), await threadOf("m-y@t")];
    expect(x && y && x !== y).toBe(true);

    // A reply that references both joins the two threads into one: the other one is gone.
    await dovecot.append("alice", "INBOX", raw({ id: "m-z@t", subject: "Re: Plans", references: ["m-x@t", "m-y@t"] }));
    const merging: SyncChange[] = [];
    await sync({ onChange: (change) => merging.push(change) });
    const joined = await threadOf("m-z@t");
    expect([x, y]).toContain(joined);
    const mergedAway = joined === x ? y : x;
    expect(merging).toContainEqual({ type: "thread.removed", threadId: mergedAway });
    expect(merging).toContainEqual(expect.objectContaining({ type: "message.new", threadId: joined }));

    // One message of the three expunged: the thread changed. Then the rest: the thread is gone.
    const stored = await inboxMessages();
    const uidOf = (messageId: string) => stored.find((message) => message.message_id === messageId)?.uid ?? 0;
    await dovecot.expunge("alice", "INBOX", [uidOf("m-y@t")]);
    const shrinking: SyncChange[] = [];
    await sync({ onChange: (change) => shrinking.push(change) });
    expect(shrinking).toContainEqual({ type: "thread.updated", threadId: joined });
    expect(shrinking).not.toContainEqual(expect.objectContaining({ type: "thread.removed" }));

    await dovecot.expunge("alice", "INBOX", [uidOf("m-x@t"), uidOf("m-z@t")]);
    const emptying: SyncChange[] = [];
    await sync({ onChange: (change) => emptying.push(change) });
    expect(emptying).toContainEqual({ type: "thread.removed", threadId: joined });
    expect(emptying).not.toContainEqual({ type: "thread.updated", threadId: joined });
  }, 30_000);

  it("rebuilds a folder whose UIDVALIDITY changed: nothing lost, nothing doubled", async () => {
    const before = await inboxMessages();
    await dovecot.recreateFolder("alice", "INBOX");
    const result = await sync();
    expect(result.ok && result.folders.find((folder) => folder.path === "INBOX")).toMatchObject({ rebuilt: true });
    const after = await inboxMessages();
    expect(after.map((message) => message.message_id).sort()).toEqual(
      before.map((message) => message.message_id).sort(),
    );
    expect(after.map((message) => message.uid)).not.toEqual(before.map((message) => message.uid));
    const trip = after.filter((message) => message.message_id?.startsWith("t-"));
    expect(new Set(trip.map((message) => message.thread_id)).size).toBe(1);
  });

  it("resumes a first pass that was cut off without doubling anything, Message-ID or not", async () => {
    await dovecot.append("alice", "INBOX", "From: x@example.test\r\nSubject: No id\r\n\r\nno Message-ID here\r\n");
    expect(await sync()).toMatchObject({ ok: true });
    const before = await inboxMessages();
    const threadsBefore = (await listMailThreads(testDb.handle.db, { userId, limit: 200 })).items;
    // As if the first pass had stopped after storing these: the folder has no sync state yet.
    await testDb.handle.db
      .updateTable("mail_folders")
      .set({ uid_validity: null, uid_next: null, highest_modseq: null })
      .where("account_id", "=", account.id)
      .execute();
    const result = await sync();
    expect(result.ok && result.folders.reduce((sum, folder) => sum + folder.added, 0)).toBe(0);
    expect((await inboxMessages()).map((message) => message.id)).toEqual(before.map((message) => message.id));
    const threadsAfter = (await listMailThreads(testDb.handle.db, { userId, limit: 200 })).items;
    expect(threadsAfter.map((thread) => thread.id).sort()).toEqual(threadsBefore.map((thread) => thread.id).sort());
    expect(threadsAfter.every((thread) => thread.message_count > 0)).toBe(true);
  });

  it("recovers from a server that stops mid-way through a first pass: nothing lost, nothing doubled", async () => {
    const folder = "Archive";
    for (let index = 0; index < 12; index += 1) {
      await dovecot.append("alice", folder, raw({ id: `archived-${index}@t`, subject: `Archived ${index}` }));
    }
    const archive = async () => {
      const row = (await listMailFolders(testDb.handle.db, account.id)).find((entry) => entry.path === folder);
      if (!row) throw new Error("no archive folder");
      return testDb.handle.db.selectFrom("mail_messages").selectAll().where("folder_id", "=", row.id).execute();
    };
    // Forget the folder's state so its next pass is a first pass, then stop Dovecot after one batch.
    await testDb.handle.db
      .updateTable("mail_folders")
      .set({ uid_validity: null, uid_next: null, highest_modseq: null })
      .where("account_id", "=", account.id)
      .where("path", "=", folder)
      .execute();
    let stopped = false;
    const interrupted = await new MailboxSync({
      db: testDb.handle.db,
      account,
      imapPassword: PASSWORD,
      limits,
      batchSize: 5,
      onBatch: async (progress) => {
        if (progress.path !== folder || stopped) return;
        stopped = true;
        await dovecot.stop();
      },
    }).syncOnce();
    await dovecot.start();
    expect(stopped).toBe(true);
    expect(interrupted).toMatchObject({ ok: false, retry: true, code: "MAIL_CONNECTION_FAILED" });
    const partial = await archive();
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(12);

    expect(await sync()).toMatchObject({ ok: true });
    const complete = await archive();
    expect(complete.map((message) => message.message_id).sort()).toEqual(
      Array.from({ length: 12 }, (_, index) => `archived-${index}@t`).sort(),
    );
  });

  it("a refused password puts the account in error once, without retrying", async () => {
    const logBefore = dovecot.log().length;
    const result = await sync({ password: "not-the-password" });
    expect(result).toMatchObject({ ok: false, retry: false, code: "MAIL_AUTH_FAILED" });
    expect(JSON.stringify(result)).not.toContain("not-the-password");
    const stored = await findMailAccount(testDb.handle.db, userId, account.id);
    expect(stored).toMatchObject({ status: "error", error_code: "MAIL_AUTH_FAILED" });
    expect(stored?.error_message).not.toContain("not-the-password");
    // Dovecot logs each refused login session with its attempt count: one session, one attempt.
    const refusals = () =>
      dovecot
        .log()
        .slice(logBefore)
        .match(/\(auth failed, (\d+) attempts?/g) ?? [];
    await vi.waitFor(() => expect(refusals().length).toBeGreaterThan(0), { timeout: 5_000 });
    expect(refusals()).toEqual(["(auth failed, 1 attempts"]);
  });

  it("a server that is down is a retryable connection failure and leaves the data alone", async () => {
    const count = (await inboxMessages()).length;
    await dovecot.stop();
    try {
      expect(await sync()).toMatchObject({ ok: false, retry: true, code: "MAIL_CONNECTION_FAILED" });
    } finally {
      await dovecot.start();
    }
    expect(await sync()).toMatchObject({ ok: true });
    expect(await inboxMessages()).toHaveLength(count);
    expect(await findMailAccount(testDb.handle.db, userId, account.id)).toMatchObject({
      status: "ready",
      error_code: null,
    });
  });
});
