import { insertMailAccount, type MailAccountRow } from "@tidings/db";
import { MailboxSync, parseAllowedPrivateHosts, sealMailCredentials } from "@tidings/mail";
import { type AuthStack, bearer, signUp, startAuthStack, trpcCall } from "@tidings/test-stack";
import { type SmtpSink, services, startDovecot, startSmtpSink, type TestDovecot } from "@tidings/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

// Issue #16 must-hold 6 over HTTP, against a server and a worker on Postgres and Redis, a real
// Dovecot and a real SMTP server for the mailbox: a reply is delivered with its threading headers,
// filed in Sent and joins the thread; cancelSend inside the window stops it; CR/LF is refused.
// Plus the attachment routes (S28): upload, size limit, download headers.

const MAILBOX_PASSWORD = "mailbox-password";
const UNDO_SECONDS = 3;
const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 5_000 };

describe.skipIf(!services().postgres || !services().redis || !services().dovecot)("sending mail over HTTP", () => {
  let stack: AuthStack;
  let dovecot: TestDovecot;
  let mailboxSmtp: SmtpSink;
  let url: string;
  let accessToken: string;
  let account: MailAccountRow;
  let parentId: string;
  let ready: Promise<void> | undefined;

  const db = () => stack.testDb.handle.db;
  const call = <T = Record<string, unknown>>(kind: "query" | "mutation", path: string, input: unknown) =>
    trpcCall<T>(url, kind, path, input, bearer(accessToken));
  const syncMailbox = () => new MailboxSync({ db: db(), account, imapPassword: MAILBOX_PASSWORD, limits }).syncOnce();

  beforeAll(async () => {
    [stack, dovecot, mailboxSmtp] = await Promise.all([
      startAuthStack({
        env: {
          MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
          MAIL_UNDO_SECONDS: String(UNDO_SECONDS),
          MAIL_MAX_ATTACHMENT_MB: "2",
        },
      }),
      startDovecot({ users: { ada: MAILBOX_PASSWORD } }),
      startSmtpSink({ users: { ada: MAILBOX_PASSWORD } }),
    ]);
    url = stack.servers[0]?.url ?? "";
  }, 120_000);
  afterAll(async () => {
    await Promise.all([stack?.stop(), dovecot?.close(), mailboxSmtp?.close()]);
  });

  // signUp polls the dev SMTP sink with expect.poll, which only runs inside a test.
  beforeEach(() => {
    ready ??= (async () => {
      const signedUp = await signUp(stack, "ada@example.test");
      accessToken = signedUp.accessToken;
      const userId = signedUp.user.id;
      const encryptionKey = Buffer.from(stack.env.ENCRYPTION_KEY ?? "", "base64");
      account = await insertMailAccount(db(), {
        userId,
        email: "ada@mailbox.test",
        displayName: "Ada",
        provider: "custom",
        imap: { host: "127.0.0.1", port: dovecot.port, security: "none", username: "ada" },
        smtp: { host: "127.0.0.1", port: Number(new URL(mailboxSmtp.url).port), security: "none", username: "ada" },
        credentialsSealed: sealMailCredentials(
          encryptionKey,
          { userId, email: "ada@mailbox.test" },
          { imapPassword: MAILBOX_PASSWORD, smtpPassword: MAILBOX_PASSWORD },
        ),
      });
      await dovecot.append(
        "ada",
        "INBOX",
        "From: Bob <bob@example.test>\r\nTo: Ada <ada@mailbox.test>\r\nSubject: Trip\r\n" +
          "Message-ID: <trip-2@bob.test>\r\nReferences: <trip-1@bob.test>\r\n" +
          "Date: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\nShall we go?\r\n",
      );
      expect(await syncMailbox()).toMatchObject({ ok: true });
      parentId = (
        await db()
          .selectFrom("mail_messages")
          .select("id")
          .where("message_id", "=", "trip-2@bob.test")
          .executeTakeFirstOrThrow()
      ).id;
    })();
    return ready;
  }, 60_000);

  const upload = (
    content: Buffer,
    filename: string,
    type: string,
    headers: Record<string, string> = bearer(accessToken),
  ) => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(content)], { type }), filename);
    return fetch(new URL("/attachments", url), { method: "POST", headers, body: form });
  };

  it("uploads an attachment and downloads it through a short-lived URL with safe headers (S28)", async () => {
    const content = Buffer.from("<script>alert(1)</script> not to be sniffed");
    const uploaded = await upload(content, "Notiz März.html", "text/html");
    expect(uploaded.status).toBe(201);
    const { attachmentId } = (await uploaded.json()) as { attachmentId: string };

    const link = await call<{ url: string; expiresAt: string }>("query", "mail.attachmentUrl", { attachmentId });
    expect(link.error).toBeUndefined();
    const given = new URL(link.data?.url ?? "");
    expect(given.origin).toBe("https://mail.example.test");
    const download = await fetch(new URL(given.pathname, url));
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("text/html");
    expect(download.headers.get("content-disposition")).toBe(
      `attachment; filename="Notiz M_rz.html"; filename*=UTF-8''Notiz%20M%C3%A4rz.html`,
    );
    expect(download.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await download.arrayBuffer()).equals(content)).toBe(true);

    // A changed token, or no sign-in for the upload, gets nothing.
    const forged = await fetch(new URL(`${given.pathname.slice(0, -2)}xx`, url));
    expect(forged.status).toBe(404);
    expect((await upload(content, "a.txt", "text/plain", {})).status).toBe(401);
  });

  it("takes an upload up to MAIL_MAX_ATTACHMENT_MB (past the 1 MiB body limit of other routes), refuses a larger one with 413", async () => {
    const fits = await upload(Buffer.alloc(1.5 * 1024 * 1024, 1), "fits.bin", "application/octet-stream");
    expect(fits.status).toBe(201);
    const before = await db().selectFrom("mail_uploads").select("id").execute();
    const answer = await upload(Buffer.alloc(2 * 1024 * 1024 + 10, 1), "big.bin", "application/octet-stream");
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({
      error: { appCode: "INVALID_INPUT", message: "Attachments can be at most 2 MB" },
    });
    expect(await db().selectFrom("mail_uploads").select("id").execute()).toHaveLength(before.length);
  });

  it("delivers a reply with In-Reply-To and References, files it in Sent, and it joins the thread", async () => {
    const uploaded = await upload(Buffer.from("agenda"), "agenda.txt", "text/plain");
    const { attachmentId } = (await uploaded.json()) as { attachmentId: string };
    const sent = await call<{ outgoingId: string; status: string; sendAt: string }>("mutation", "mail.send", {
      accountId: account.id,
      to: [{ name: "Bob", email: "bob@example.test" }],
      text: "Yes, let's go.",
      inReplyTo: parentId,
      attachmentIds: [attachmentId],
    });
    expect(sent.error).toBeUndefined();
    expect(sent.data?.status).toBe("queued");

    const [received] = await mailboxSmtp.waitForAccepted(1, 30_000);
    expect(received).toMatchObject({
      subject: "Re: Trip",
      from: '"Ada" <ada@mailbox.test>',
      inReplyTo: "<trip-2@bob.test>",
      references: ["<trip-1@bob.test>", "<trip-2@bob.test>"],
      attachments: [{ filename: "agenda.txt", contentType: "text/plain" }],
    });
    expect(received?.text).toContain("> Shall we go?");
    // Not before the undo window ended.
    expect(received?.acceptedAt).toBeGreaterThanOrEqual(new Date(sent.data?.sendAt ?? 0).getTime());

    await expect.poll(async () => (await dovecot.messages("ada", "Sent")).length, { timeout: 15_000 }).toBe(1);
    await expect
      .poll(async () => (await dovecot.messages("ada", "INBOX"))[0]?.flags ?? [], { timeout: 15_000 })
      .toContain("\\Answered");
    const outgoing = await db()
      .selectFrom("mail_outgoing")
      .select(["status", "message_id"])
      .where("id", "=", sent.data?.outgoingId ?? "")
      .executeTakeFirstOrThrow();
    expect(outgoing.status).toBe("sent");
    expect(received?.messageId).toBe(`<${outgoing.message_id}>`);

    expect(await syncMailbox()).toMatchObject({ ok: true });
    const threads = await db()
      .selectFrom("mail_messages")
      .select(["message_id", "thread_id"])
      .where("message_id", "in", ["trip-2@bob.test", outgoing.message_id])
      .execute();
    expect(threads).toHaveLength(2);
    expect(new Set(threads.map((row) => row.thread_id)).size).toBe(1);
  });

  it("cancelSend inside the undo window stops delivery; after it, NOT_FOUND", async () => {
    const before = mailboxSmtp.accepted.length;
    const sent = await call<{ outgoingId: string }>("mutation", "mail.send", {
      accountId: account.id,
      to: ["carol@example.test"],
      subject: "Oops",
      text: "Not meant to go",
    });
    const outgoingId = sent.data?.outgoingId ?? "";
    const cancelled = await call("mutation", "mail.cancelSend", { outgoingId });
    expect(cancelled.data).toEqual({ status: "cancelled" });

    await new Promise((resolve) => setTimeout(resolve, (UNDO_SECONDS + 2) * 1000));
    expect(mailboxSmtp.accepted).toHaveLength(before);
    const again = await call("mutation", "mail.cancelSend", { outgoingId });
    expect(again.error?.data.appCode).toBe("NOT_FOUND");
    expect(
      await db().selectFrom("mail_outgoing").select("status").where("id", "=", outgoingId).executeTakeFirst(),
    ).toEqual({ status: "cancelled" });
  });

  it("refuses CR/LF in a header field as INVALID_INPUT naming the field, and queues nothing", async () => {
    const before = await db().selectFrom("mail_outgoing").select("id").execute();
    const refused = await call("mutation", "mail.send", {
      accountId: account.id,
      to: ["bob@example.test"],
      subject: "Hello\r\nBcc: victim@example.test",
      text: "x",
    });
    expect(refused.status).toBe(400);
    expect(refused.error?.data).toMatchObject({ appCode: "INVALID_INPUT", issues: [{ path: ["subject"] }] });
    expect(await db().selectFrom("mail_outgoing").select("id").execute()).toHaveLength(before.length);
  });

  it("downloads a received attachment, fetched from the IMAP server on demand, with the same safe headers", async () => {
    const pdf = Buffer.from(Array.from({ length: 5000 }, (_, index) => index % 251));
    await dovecot.append(
      "ada",
      "INBOX",
      [
        "From: Bob <bob@example.test>",
        "To: ada@mailbox.test",
        "Subject: Report",
        "Message-ID: <report@bob.test>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        "Attached.",
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
    expect(await syncMailbox()).toMatchObject({ ok: true });
    const { id: attachmentId } = await db()
      .selectFrom("mail_attachments as a")
      .innerJoin("mail_messages as m", "m.id", "a.message_id")
      .select("a.id")
      .where("m.message_id", "=", "report@bob.test")
      .executeTakeFirstOrThrow();
    const link = await call<{ url: string }>("query", "mail.attachmentUrl", { attachmentId });
    const download = await fetch(new URL(new URL(link.data?.url ?? "").pathname, url));
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/pdf");
    expect(download.headers.get("content-disposition")).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
    expect(download.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);
  });
});
