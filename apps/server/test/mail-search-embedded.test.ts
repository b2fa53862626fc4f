import { randomBytes } from "node:crypto";
import {
  APP_URL,
  bearer,
  generousRateLimits,
  type StartedServer,
  signUp,
  startServer,
  trpcCall,
} from "@tidings/test-stack";
import {
  type SmtpSink,
  searchCases,
  searchMail,
  services,
  startDovecot,
  startSmtpSink,
  type TestDovecot,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Issue 16, must-hold 9 on PGlite: the embedded server (PGlite, the sync running in its own
// process) syncs real MIME from Dovecot, and mail.threads' full-text search and each operator
// API.md lists find what they should over HTTP. The same cases run on Postgres in
// apps/worker/test/mail-musts-http.test.ts.

const MAILBOX_PASSWORD = `mailbox-${randomBytes(9).toString("hex")}`;

describe.skipIf(!services().dovecot)("mail search over HTTP on the embedded server (PGlite)", () => {
  let server: StartedServer;
  let dovecot: TestDovecot;
  /** Where the server sends its own email (the sign-up link). */
  let outbox: SmtpSink;
  /** The mailbox's SMTP side, which mailAccount.add signs in to. */
  let mailboxSmtp: SmtpSink;
  let token = "";
  let accountId = "";

  const threadSubjects = async (query: string): Promise<string[]> => {
    const answer = await trpcCall<{ items: { subject: string }[] }>(
      server.url,
      "query",
      "mail.threads",
      { accountId, query },
      bearer(token),
    );
    expect(answer.status, `${query}: ${JSON.stringify(answer.error)}`).toBe(200);
    return answer.data?.items.map((thread) => thread.subject) ?? [];
  };

  beforeAll(async () => {
    [dovecot, outbox, mailboxSmtp] = await Promise.all([
      startDovecot({ users: { alice: MAILBOX_PASSWORD } }),
      startSmtpSink(),
      startSmtpSink({ users: { alice: MAILBOX_PASSWORD } }),
    ]);
    server = await startServer({
      APP_URL,
      SMTP_URL: outbox.url,
      MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
      ...generousRateLimits,
    });
    for (const mail of searchMail()) await dovecot.append("alice", "INBOX", mail.raw, { flags: mail.flags });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([server?.stop(), dovecot?.close(), outbox?.close(), mailboxSmtp?.close()]);
  });

  it("runs in embedded mode", () => {
    expect(server.process.output()).toMatch(/Tidings is running at \S+ \(embedded mode\)/);
  });

  it("syncs the mailbox, then each search finds exactly its threads, newest first", async () => {
    token = (await signUp({ servers: [server], smtp: outbox }, "searcher@example.test")).accessToken;
    const side = (port: number) => ({
      host: "127.0.0.1",
      port,
      security: "none",
      username: "alice",
      password: MAILBOX_PASSWORD,
    });
    const added = await trpcCall<{ id: string }>(
      server.url,
      "mutation",
      "mailAccount.add",
      { email: "alice@example.test", imap: side(dovecot.port), smtp: side(Number(new URL(mailboxSmtp.url).port)) },
      bearer(token),
    );
    expect(added.status, JSON.stringify(added.error)).toBe(200);
    accountId = added.data?.id ?? "";
    const everything = searchCases[0]?.[1] ?? [];
    await vi.waitFor(async () => expect(await threadSubjects("quillwort")).toEqual(everything), {
      timeout: 60_000,
      interval: 250,
    });
    for (const [query, expected] of searchCases) expect.soft(await threadSubjects(query), query).toEqual(expected);
  }, 90_000);

  it("answers a malformed operator with BAD_REQUEST naming the query field, not a 5xx", async () => {
    const answer = await trpcCall(server.url, "query", "mail.threads", { query: "before:someday" }, bearer(token));
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.error)).toContain("query");
  });
});
