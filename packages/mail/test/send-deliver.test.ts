import { randomBytes } from "node:crypto";
import {
  findMailOutgoing,
  insertMailAccount,
  insertMailDraft,
  insertMailOutgoing,
  insertMailUpload,
  type MailAccountRow,
  updateMailDraft,
} from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import {
  type SmtpReply,
  type SmtpSink,
  services,
  startDovecot,
  startSmtpSink,
  type TestDovecot,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMemoryMailEventBus,
  downloadReceivedAttachment,
  MailboxSync,
  newMessageId,
  parseAllowedPrivateHosts,
  parseMessage,
  SendFailure,
  sealMailCredentials,
  sendOutgoing,
  storeDraftCopy,
} from "../src/index.ts";

// Sending, filing and drafts against a real Dovecot and a real SMTP server, on a real database.
const PASSWORD = "send-password";
const encryptionKey = randomBytes(32);
const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 5_000 };

describe.skipIf(!services().dovecot)("sending through a connected mailbox", () => {
  let dovecot: TestDovecot;
  let smtp: SmtpSink;
  let testDb: TestDatabase;
  let account: MailAccountRow;
  let userId: string;
  let smtpReply: (attempt: number) => SmtpReply = () => undefined;

  const events = createMemoryMailEventBus();
  const deps = () => ({ db: testDb.handle.db, encryptionKey, limits, events });
  const statusEvents = async (outgoingId: string) =>
    (await events.since(userId, "0"))
      .map((delivered) => delivered.event)
      .filter((event) => event.type === "outgoing.status" && event.outgoingId === outgoingId);
  const db = () => testDb.handle.db;

  /** A queued outgoing row due now. */
  const queue = (overrides: Partial<Parameters<typeof insertMailOutgoing>[1]> = {}) =>
    insertMailOutgoing(db(), {
      userId,
      accountId: account.id,
      draftId: null,
      sendAt: new Date(Date.now() - 1000),
      messageId: newMessageId(account.email),
      from: { name: "Alice", email: account.email },
      to: [{ name: "Bob", email: "bob@example.test" }],
      cc: [],
      bcc: [{ name: "", email: "hidden@example.test" }],
      subject: "Hello",
      text: "Hi Bob",
      html: null,
      inReplyTo: null,
      references: [],
      replyToMessageId: null,
      attachmentIds: [],
      ...overrides,
    });

  beforeAll(async () => {
    [dovecot, smtp, testDb] = await Promise.all([
      startDovecot({ users: { alice: PASSWORD } }),
      startSmtpSink({ users: { alice: PASSWORD }, reply: (_email, attempt) => smtpReply(attempt) }),
      createTestDatabase(),
    ]);
    userId = (
      await db()
        .insertInto("users")
        .values({ email: "alice@example.test", email_normalized: "alice@example.test" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    const smtpPort = Number(new URL(smtp.url).port);
    account = await insertMailAccount(db(), {
      userId,
      email: "alice@example.test",
      displayName: "Alice",
      provider: "custom",
      imap: { host: "127.0.0.1", port: dovecot.port, security: "none", username: "alice" },
      smtp: { host: "127.0.0.1", port: smtpPort, security: "none", username: "alice" },
      credentialsSealed: sealMailCredentials(
        encryptionKey,
        { userId, email: "alice@example.test" },
        { imapPassword: PASSWORD, smtpPassword: PASSWORD },
      ),
    });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([dovecot?.close(), smtp?.close(), testDb?.drop()]);
  });

  it("sends a reply through SMTP, files it in Sent with its Bcc, and marks the parent answered here and there", async () => {
    await dovecot.append(
      "alice",
      "INBOX",
      "From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: Trip\r\nMessage-ID: <trip-2@t>\r\n" +
        "References: <trip-1@t>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\nShall we?\r\n",
    );
    await new MailboxSync({ db: db(), account, imapPassword: PASSWORD, limits }).syncOnce();
    const parent = await db()
      .selectFrom("mail_messages")
      .select(["id", "uid"])
      .where("message_id", "=", "trip-2@t")
      .executeTakeFirstOrThrow();
    const row = await queue({
      subject: "Re: Trip",
      inReplyTo: "trip-2@t",
      references: ["trip-1@t", "trip-2@t"],
      replyToMessageId: parent.id,
    });

    expect(await sendOutgoing(deps(), row.id, { lastAttempt: false })).toBe("sent");

    const [received] = await smtp.waitForAccepted(1, 10_000);
    expect(received).toMatchObject({
      messageId: `<${row.message_id}>`,
      subject: "Re: Trip",
      inReplyTo: "<trip-2@t>",
      references: ["<trip-1@t>", "<trip-2@t>"],
      envelopeTo: ["bob@example.test", "hidden@example.test"],
      hasBccHeader: false,
    });
    const sent = await dovecot.messages("alice", "Sent");
    expect(sent).toHaveLength(1);
    const copy = await parseMessage(sent[0]?.source ?? Buffer.alloc(0));
    expect(copy).toMatchObject({ messageId: row.message_id, inReplyTo: "trip-2@t" });
    expect(sent[0]?.source.toString()).toMatch(/^Bcc: hidden@example.test/im);
    expect(sent[0]?.flags).toContain("\\Seen");
    const inbox = await dovecot.messages("alice", "INBOX");
    expect(inbox.find((message) => message.uid === parent.uid)?.flags).toContain("\\Answered");
    expect(
      await db().selectFrom("mail_messages").select("answered").where("id", "=", parent.id).executeTakeFirst(),
    ).toEqual({
      answered: true,
    });
    expect(await findMailOutgoing(db(), row.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect(await statusEvents(row.id)).toEqual([
      { type: "outgoing.status", accountId: account.id, outgoingId: row.id, status: "sent" },
    ]);
    // A second run of the same job (a retry after a crash) sends nothing more.
    expect(await sendOutgoing(deps(), row.id, { lastAttempt: false })).toBe("already-done");
    expect(smtp.accepted).toHaveLength(1);
  });

  it("does not file a copy in Sent for Gmail, which files sent mail itself", async () => {
    const gmail = await insertMailAccount(db(), {
      userId,
      email: "alice@gmail.test",
      provider: "gmail",
      imap: { host: "127.0.0.1", port: dovecot.port, security: "none", username: "alice" },
      smtp: { host: "127.0.0.1", port: Number(new URL(smtp.url).port), security: "none", username: "alice" },
      credentialsSealed: sealMailCredentials(
        encryptionKey,
        { userId, email: "alice@gmail.test" },
        { imapPassword: PASSWORD, smtpPassword: PASSWORD },
      ),
    });
    const sentBefore = (await dovecot.messages("alice", "Sent")).length;
    const accepted = smtp.accepted.length;
    const row = await queue({ accountId: gmail.id, from: { name: "", email: gmail.email } });
    expect(await sendOutgoing(deps(), row.id, { lastAttempt: false })).toBe("sent");
    expect(smtp.accepted).toHaveLength(accepted + 1);
    expect(await dovecot.messages("alice", "Sent")).toHaveLength(sentBefore);
  });

  it("after SMTP took the message, a retry only finishes the filing: the message is never sent twice", async () => {
    const row = await queue({ subject: "Once only" });
    const accepted = smtp.accepted.length;
    const sentBefore = (await dovecot.messages("alice", "Sent")).length;
    await dovecot.stop();
    try {
      const error = await sendOutgoing(deps(), row.id, { lastAttempt: false }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: "SendFailure", permanent: false });
    } finally {
      await dovecot.start();
    }
    expect(smtp.accepted).toHaveLength(accepted + 1);
    expect(await findMailOutgoing(db(), row.id)).toMatchObject({ status: "sending" });
    expect((await findMailOutgoing(db(), row.id))?.delivered_at).not.toBeNull();

    expect(await sendOutgoing(deps(), row.id, { lastAttempt: false })).toBe("sent");
    expect(smtp.accepted).toHaveLength(accepted + 1);
    expect(await dovecot.messages("alice", "Sent")).toHaveLength(sentBefore + 1);
  });

  it("does not send a cancelled message", async () => {
    const row = await queue();
    await db().updateTable("mail_outgoing").set({ status: "cancelled" }).where("id", "=", row.id).execute();
    const before = smtp.accepted.length;
    expect(await sendOutgoing(deps(), row.id, { lastAttempt: false })).toBe("cancelled");
    expect(smtp.accepted).toHaveLength(before);
  });

  it("keeps a temporary refusal for a retry, fails on the last try, and fails at once on a 5xx", async () => {
    smtpReply = () => ({ code: 451, message: "Try later" });
    const row = await queue();
    const first = await sendOutgoing(deps(), row.id, { lastAttempt: false }).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(SendFailure);
    expect((first as SendFailure).permanent).toBe(false);
    expect(await findMailOutgoing(db(), row.id)).toMatchObject({ status: "sending", attempts: 1 });
    await expect(sendOutgoing(deps(), row.id, { lastAttempt: true })).rejects.toBeInstanceOf(SendFailure);
    expect(await findMailOutgoing(db(), row.id)).toMatchObject({ status: "failed", attempts: 2 });
    expect((await findMailOutgoing(db(), row.id))?.error).toMatch(/451/);
    // The user hears of it once, when it failed for good.
    expect(await statusEvents(row.id)).toMatchObject([{ status: "failed", error: expect.stringMatching(/451/) }]);

    smtpReply = () => ({ code: 550, message: "No such user" });
    const refused = await queue();
    const error = await sendOutgoing(deps(), refused.id, { lastAttempt: false }).catch((caught: unknown) => caught);
    expect((error as SendFailure).permanent).toBe(true);
    expect(await findMailOutgoing(db(), refused.id)).toMatchObject({ status: "failed" });
    smtpReply = () => undefined;
  });

  it("refuses a loopback SMTP host that MAIL_ALLOWED_PRIVATE_HOSTS does not name (S24), permanently", async () => {
    const row = await queue();
    const error = await sendOutgoing(
      { ...deps(), limits: { allowedPrivateHosts: parseAllowedPrivateHosts([]) } },
      row.id,
      {
        lastAttempt: false,
      },
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "SendFailure", permanent: true });
    expect(await findMailOutgoing(db(), row.id)).toMatchObject({ status: "failed" });
  });

  it("keeps one server copy of a draft, the newest revision, and sending it removes both copies", async () => {
    const content = {
      to: [{ name: "", email: "bob@example.test" }],
      cc: [],
      bcc: [],
      subject: "Plans",
      text: "first",
      html: null,
      replyToMessageId: null,
      attachmentIds: [],
    };
    const draft = await insertMailDraft(db(), { ...content, userId, accountId: account.id, messageId: "draft-1@t" });
    expect(await storeDraftCopy(deps(), draft.id)).toBe("stored");
    const upload = await insertMailUpload(db(), {
      userId,
      filename: "plan.txt",
      contentType: "text/plain",
      content: Buffer.from("the plan"),
    });
    const parent = await db()
      .selectFrom("mail_messages")
      .select("id")
      .where("message_id", "=", "trip-2@t")
      .executeTakeFirstOrThrow();
    await updateMailDraft(db(), userId, draft.id, {
      ...content,
      accountId: account.id,
      text: "second",
      attachmentIds: [upload.id],
      replyToMessageId: parent.id,
    });
    expect(await storeDraftCopy(deps(), draft.id)).toBe("stored");
    const drafts = await dovecot.messages("alice", "Drafts");
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.flags).toContain("\\Draft");
    const stored = await parseMessage(drafts[0]?.source ?? Buffer.alloc(0));
    expect(stored).toMatchObject({
      messageId: "draft-1@t",
      inReplyTo: "trip-2@t",
      references: ["trip-1@t", "trip-2@t"],
    });
    expect(stored.text).toContain("second");
    expect(stored.attachments).toMatchObject([{ filename: "plan.txt" }]);

    const row = await queue({ draftId: draft.id });
    expect(await sendOutgoing(deps(), row.id, { lastAttempt: false })).toBe("sent");
    expect(await dovecot.messages("alice", "Drafts")).toHaveLength(0);
    expect(await db().selectFrom("mail_drafts").select("id").where("id", "=", draft.id).execute()).toEqual([]);
  });

  it("downloads a received attachment from IMAP by UID and part", async () => {
    const pdf = randomBytes(3000);
    await dovecot.append(
      "alice",
      "INBOX",
      [
        "From: Bob <bob@example.test>",
        "To: alice@example.test",
        "Subject: Report",
        "Message-ID: <report@t>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        "See attached",
        "--b",
        "Content-Type: application/pdf",
        'Content-Disposition: attachment; filename="report.pdf"',
        "Content-Transfer-Encoding: base64",
        "",
        pdf.toString("base64").replace(/.{76}/g, "$&\r\n"),
        "--b--",
        "",
      ].join("\r\n"),
    );
    await new MailboxSync({ db: db(), account, imapPassword: PASSWORD, limits }).syncOnce();
    const attachment = await db()
      .selectFrom("mail_attachments as a")
      .innerJoin("mail_messages as m", "m.id", "a.message_id")
      .innerJoin("mail_folders as f", "f.id", "m.folder_id")
      .select([
        "a.id",
        "a.filename",
        "a.content_type",
        "a.size",
        "a.content_id",
        "a.message_id",
        "m.account_id",
        "m.uid",
      ])
      .select("f.path as folder_path")
      .where("m.message_id", "=", "report@t")
      .executeTakeFirstOrThrow();
    const content = await downloadReceivedAttachment(deps(), account, { ...attachment, ordinal: 0 }, 1024 * 1024);
    expect(content?.equals(pdf)).toBe(true);
  });

  it("forwards a received message with its attachments, fetched from IMAP", async () => {
    const report = await db()
      .selectFrom("mail_messages")
      .select("id")
      .where("message_id", "=", "report@t")
      .executeTakeFirstOrThrow();
    const accepted = smtp.accepted.length;
    const row = await queue({ subject: "Fwd: Report", forwardOfMessageId: report.id, bcc: [] });
    expect(await sendOutgoing(deps(), row.id, { lastAttempt: false })).toBe("sent");
    const delivered = (await smtp.waitForAccepted(accepted + 1, 10_000)).at(-1);
    expect(delivered).toMatchObject({
      subject: "Fwd: Report",
      attachments: [{ filename: "report.pdf", contentType: "application/pdf", size: 3000 }],
    });
  });
});
