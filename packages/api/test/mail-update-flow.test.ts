import { randomBytes } from "node:crypto";
import { insertMailAccount, listMailFolders, type MailAccountRow } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { createInProcessProducer, createMailActionProcessor, startOutboxRelay } from "@tidings/jobs";
import { type DeliveredMailEvent, MailboxSync, parseAllowedPrivateHosts, sealMailCredentials } from "@tidings/mail";
import { services, startDovecot, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InnerContext } from "../src/index.ts";
import { testInnerContext } from "./context.ts";
import { type MailUser, mailUser } from "./mail-fixtures.ts";

// mail.update end to end: the procedure's outbox row goes through the relay to the `mail` queue's
// processor (in process, as in embedded mode), which carries the change to a real Dovecot.

const PASSWORD = "flow-password";
const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 5_000 };

describe.skipIf(!services().dovecot)("mail.update through the outbox, the mail queue and IMAP", () => {
  let dovecot: TestDovecot;
  let testDb: TestDatabase;
  let inner: InnerContext;
  let user: MailUser;
  let account: MailAccountRow;
  let encryptionKey: Buffer;
  const events: DeliveredMailEvent[] = [];

  const db = () => testDb.handle.db;
  const row = (messageId: string) =>
    db()
      .selectFrom("mail_messages")
      .select(["id", "thread_id", "folder_id", "uid", "seen", "flagged"])
      .where("message_id", "=", messageId)
      .executeTakeFirstOrThrow();
  const folderId = async (path: string) =>
    (await listMailFolders(db(), account.id)).find((folder) => folder.path === path)?.id ?? "";

  /** What the server process does after the call: relay the outbox, run the job to its end. */
  async function runQueuedJobs(): Promise<void> {
    const failures: unknown[] = [];
    const producer = createInProcessProducer(
      {
        email: async () => undefined,
        maintenance: async () => undefined,
        "mail-send": async () => undefined,
        ai: async () => undefined,
        mail: createMailActionProcessor({
          db: db(),
          encryptionKey: async () => encryptionKey,
          limits,
          events: inner.mailEvents,
        }),
      },
      (error) => failures.push(error),
    );
    const relay = startOutboxRelay({ db: db(), producer, idleMs: 60_000 });
    try {
      await relay.drain();
    } finally {
      await relay.close();
      await producer.close();
    }
    expect(failures).toEqual([]);
  }

  beforeAll(async () => {
    [dovecot, testDb] = await Promise.all([startDovecot({ users: { alice: PASSWORD } }), createTestDatabase()]);
    inner = await testInnerContext(db());
    user = await mailUser(inner);
    inner.mailEvents.subscribe(user.id, (event) => events.push(event));
    encryptionKey = randomBytes(32);
    account = await insertMailAccount(db(), {
      userId: user.id,
      email: "alice@example.test",
      provider: "custom",
      imap: { host: "127.0.0.1", port: dovecot.port, security: "none", username: "alice" },
      smtp: { host: "127.0.0.1", port: 1, security: "none", username: "alice" },
      credentialsSealed: sealMailCredentials(
        encryptionKey,
        { userId: user.id, email: "alice@example.test" },
        { imapPassword: PASSWORD, smtpPassword: PASSWORD },
      ),
    });
    for (const id of ["archive-me@t", "keep-me@t"]) {
      await dovecot.append(
        "alice",
        "INBOX",
        [`From: Bob <bob@example.test>`, `Subject: ${id}`, `Message-ID: <${id}>`, "", "Hello", ""].join("\r\n"),
      );
    }
    const client = await dovecot.connect("alice");
    await client.mailboxCreate("Doomed");
    await client.logout();
    const synced = await new MailboxSync({ db: db(), account, imapPassword: PASSWORD, limits }).syncOnce();
    expect(synced).toMatchObject({ ok: true });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([dovecot?.close(), testDb?.drop()]);
  });

  it("archives a thread read: local at once, then on the server with the server's UID", async () => {
    const message = await row("archive-me@t");
    await user.caller.mail.update({ threadIds: [message.thread_id], seen: true, moveTo: { role: "archive" } });
    const archive = await folderId("Archive");
    expect(await row("archive-me@t")).toMatchObject({ folder_id: archive, seen: true });

    await runQueuedJobs();
    const onServer = await dovecot.messages("alice", "Archive");
    expect(onServer).toHaveLength(1);
    expect(onServer[0]?.flags).toContain("\\Seen");
    expect(await row("archive-me@t")).toMatchObject({ folder_id: archive, uid: onServer[0]?.uid, seen: true });
  });

  it("puts the message back and tells the user when the server has lost the destination", async () => {
    const before = await row("keep-me@t");
    const doomed = await folderId("Doomed");
    const client = await dovecot.connect("alice");
    await client.mailboxDelete("Doomed");
    await client.logout();

    await user.caller.mail.update({ messageIds: [before.id], flagged: true, moveTo: { folderId: doomed } });
    expect(await row("keep-me@t")).toMatchObject({ folder_id: doomed, flagged: true });

    await runQueuedJobs();
    expect(await row("keep-me@t")).toEqual(before);
    expect(events.at(-1)?.event).toMatchObject({
      type: "action.failed",
      accountId: account.id,
      threadIds: [before.thread_id],
    });
    const [thread] = (await user.caller.mail.threads({ folderId: await folderId("INBOX") })).items;
    expect(thread).toMatchObject({ id: before.thread_id, starred: false });
  });
});
