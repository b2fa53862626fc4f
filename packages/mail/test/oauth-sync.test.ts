import { randomBytes } from "node:crypto";
import { loadConfig } from "@tidings/config";
import {
  applyMailMessageChange,
  findMailAccount,
  findMailActionTargets,
  insertMailOutgoing,
  insertOutboxJob,
  listMailFolders,
  type MailAccountRow,
} from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import {
  type SmtpSink,
  services,
  startDovecot,
  startOAuthServer,
  startSmtpSink,
  type TestDovecot,
  type TestOAuthServer,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  carryMailAction,
  completeMailOAuth,
  createMemoryMailEventBus,
  type DeliveredMailEvent,
  type MailOAuthClients,
  type MailSyncWorker,
  mailAccountErrorEmail,
  newMessageId,
  openMailOAuthTokens,
  parseAllowedPrivateHosts,
  sendOutgoing,
  startMailOAuth,
  startMailSyncWorker,
} from "../src/index.ts";

// Issue #16 must-hold 10: OAuth2 mailboxes work like password ones once connected. A sync worker,
// mail actions and sending against a local authorization server (oauth2-mock-server), a Dovecot
// whose oauth2 passdb checks bearer tokens by introspection, and an SMTP sink that takes only XOAUTH2.

const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 5_000 };
const APP_URL = "http://127.0.0.1:5998";
const ALICE = "alice@tidings.test";
const BOB = "bob@tidings.test";
const DAVE = "dave@tidings.test";
const ERIN = "erin@tidings.test";
const key = randomBytes(32);
const silentLog = { info: () => {}, warn: () => {}, error: () => {} };

function raw(id: string, subject: string): string {
  return [
    "From: Bob <bob@example.test>",
    `Subject: ${subject}`,
    `Message-ID: <${id}>`,
    `Date: ${new Date().toUTCString()}`,
    "",
    `Body of ${subject}`,
    "",
  ].join("\r\n");
}

describe.skipIf(!services().dovecot)("OAuth2 mailboxes are synced, acted on and sent from", () => {
  let oauth: TestOAuthServer;
  let dovecot: TestDovecot;
  let smtp: SmtpSink;
  let testDb: TestDatabase;
  let clients: MailOAuthClients;
  let worker: MailSyncWorker;
  let userId: string;
  const bus = createMemoryMailEventBus();
  const events: DeliveredMailEvent[] = [];
  const db = () => testDb.handle.db;

  async function connect(email: string, provider: "google" | "microsoft" = "google"): Promise<MailAccountRow> {
    const deps = { db: db(), encryptionKey: key, clients, appUrl: APP_URL };
    oauth.signInAs(email);
    const { authorizeUrl } = await startMailOAuth(deps, { userId, provider });
    const answer = await fetch(authorizeUrl, { redirect: "manual" });
    const callback = new URL(answer.headers.get("location") ?? "");
    const { accountId } = await completeMailOAuth(deps, callback.searchParams);
    return reload(accountId);
  }

  async function reload(accountId: string): Promise<MailAccountRow> {
    const row = await findMailAccount(db(), userId, accountId);
    if (!row) throw new Error("account gone");
    return row;
  }

  const inbox = async (account: MailAccountRow) => {
    const folder = (await listMailFolders(db(), account.id)).find((entry) => entry.path === "INBOX");
    if (!folder) return [];
    return db().selectFrom("mail_messages").selectAll().where("folder_id", "=", folder.id).orderBy("uid").execute();
  };
  const subjectsIn = async (account: MailAccountRow) => (await inbox(account)).map((message) => message.subject);
  const refreshes = () => oauth.tokenRequests().filter((request) => request.grantType === "refresh_token").length;
  const accessToken = (account: MailAccountRow) =>
    openMailOAuthTokens(key, { userId, email: account.email }, account.credentials_sealed).accessToken;
  const statusEvents = (account: MailAccountRow) =>
    events
      .map((delivered) => delivered.event)
      .filter((event) => event.type === "account.status" && event.accountId === account.id);

  beforeAll(async () => {
    oauth = await startOAuthServer();
    [dovecot, smtp, testDb] = await Promise.all([
      startDovecot({
        users: Object.fromEntries([ALICE, BOB, DAVE, ERIN].map((user) => [user, "harness-password"])),
        oauth2: { introspectionUrl: oauth.introspectionUrl },
      }),
      // Offers only XOAUTH2 and requires it: a message accepted here was sent with an access token.
      startSmtpSink({
        oauth2: async (user, token) => {
          const answer = await fetch(oauth.introspectionUrl, { headers: { authorization: `Bearer ${token}` } });
          const body = (await answer.json()) as { active: boolean; email?: string };
          return body.active && body.email === user;
        },
      }),
      createTestDatabase(),
    ]);
    const endpoints = JSON.stringify({
      ...oauth.endpoints,
      imap: { host: "127.0.0.1", port: dovecot.port, security: "none" },
      smtp: { host: "127.0.0.1", port: Number(new URL(smtp.url).port), security: "none" },
    });
    clients = loadConfig({
      APP_URL,
      MAIL_OAUTH_GOOGLE_CLIENT_ID: "tidings-test-client",
      MAIL_OAUTH_GOOGLE_CLIENT_SECRET: "tidings-test-secret",
      MAIL_OAUTH_GOOGLE_ENDPOINTS: endpoints,
      MAIL_OAUTH_MICROSOFT_CLIENT_ID: "tidings-test-client",
      MAIL_OAUTH_MICROSOFT_CLIENT_SECRET: "tidings-test-secret",
      MAIL_OAUTH_MICROSOFT_ENDPOINTS: endpoints,
    }).mail.oauth;
    userId = (
      await db()
        .insertInto("users")
        .values({ email: "owner@example.test", email_normalized: "owner@example.test" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    bus.subscribe(userId, (delivered) => events.push(delivered));
    worker = startMailSyncWorker({
      db: db(),
      events: bus,
      encryptionKey: key,
      oauthClients: clients,
      allowedPrivateHosts: limits.allowedPrivateHosts,
      settings: {
        leaseSeconds: 1,
        workerMaxAccounts: 10,
        pollSeconds: 1,
        fullSyncMinutes: 60,
        backoff: { initialMs: 200, maxMs: 1_000 },
        authRetryMs: 10 * 60_000,
        errorNoticeMs: 60 * 60_000,
      },
      queueErrorEmail: (trx, notice) =>
        insertOutboxJob(trx, { queue: "email", jobName: "send", payload: mailAccountErrorEmail(notice) }),
      log: silentLog,
    });
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await Promise.all([dovecot?.close(), smtp?.close(), testDb?.drop()]);
    await oauth?.close();
  }, 40_000);

  it("leases and syncs a connected account with XOAUTH2: its mail is stored, it turns ready, new mail arrives live", async () => {
    await dovecot.append(ALICE, "INBOX", raw("a-1@t", "Before connecting"));
    const account = await connect(ALICE);
    await vi.waitFor(async () => expect((await reload(account.id)).status).toBe("ready"), { timeout: 15_000 });
    expect(worker.heldAccounts()).toContain(account.id);
    expect(await subjectsIn(account)).toEqual(["Before connecting"]);
    // The row changes first; the event follows from the runner.
    await vi.waitFor(() =>
      expect(statusEvents(account)).toContainEqual({
        type: "account.status",
        accountId: account.id,
        status: "ready",
        error: null,
      }),
    );

    await dovecot.append(ALICE, "INBOX", raw("a-2@t", "While connected"));
    await vi.waitFor(async () => expect(await subjectsIn(account)).toContain("While connected"), { timeout: 10_000 });
  }, 40_000);

  it("refreshes an access token the server refuses during sync, without the user, and syncs on", async () => {
    const account = await reload((await connect(ALICE)).id); // the same account, tokens replaced
    await vi.waitFor(async () => expect((await reload(account.id)).status).toBe("ready"), { timeout: 15_000 });
    const before = refreshes();
    // The provider ends the tokens early: the stored expiry still says fresh, Dovecot refuses them.
    oauth.expireAccessTokens();
    await dovecot.append(ALICE, "INBOX", raw("a-3@t", "After the token died"));
    await vi.waitFor(async () => expect(await subjectsIn(account)).toContain("After the token died"), {
      timeout: 15_000,
    });
    expect(refreshes()).toBe(before + 1);
    const now = await reload(account.id);
    expect(now).toMatchObject({ status: "ready", error_code: null });
    expect(accessToken(now)).not.toBe(accessToken(account));
  }, 40_000);

  it("renews a token close to its expiry before the runner signs in", async () => {
    oauth.setAccessTokenLifetime(120); // inside the five-minute margin: due for renewal at once
    await dovecot.append(BOB, "INBOX", raw("b-1@t", "For Bob"));
    const before = refreshes();
    const account = await connect(BOB);
    oauth.setAccessTokenLifetime(3600);
    await vi.waitFor(async () => expect((await reload(account.id)).status).toBe("ready"), { timeout: 15_000 });
    expect(await subjectsIn(account)).toEqual(["For Bob"]);
    expect(refreshes()).toBeGreaterThan(before);
    expect(accessToken(await reload(account.id))).not.toBe(accessToken(account));
  }, 40_000);

  it("carries a mail.update change (mark read) to the server of an OAuth2 account", async () => {
    const account = (await db()
      .selectFrom("mail_accounts")
      .selectAll()
      .where("email", "=", ALICE)
      .executeTakeFirst()) as MailAccountRow | undefined;
    if (!account) throw new Error("alice's account missing");
    const message = (await inbox(account)).find((entry) => entry.message_id === "a-1@t");
    if (!message) throw new Error("a-1 not synced");
    const action = await db()
      .transaction()
      .execute(async (trx) => {
        const { messages } = await findMailActionTargets(trx, userId, { threadIds: [], messageIds: [message.id] });
        await applyMailMessageChange(trx, messages, { seen: true });
        return { userId, accountId: account.id, change: { seen: true }, before: messages };
      });
    const deps = { db: db(), encryptionKey: async () => key, oauthClients: clients, limits, events: bus };
    expect(await carryMailAction(deps, action, { lastAttempt: false })).toEqual({ status: "applied", messages: 1 });
    const onServer = (await dovecot.messages(ALICE, "INBOX")).find((entry) => entry.uid === Number(message.uid));
    expect(onServer?.flags).toContain("\\Seen");
  }, 40_000);

  it("sends through SMTP with XOAUTH2 and files the message in Sent", async () => {
    // A Microsoft account (the Outlook preset): Tidings files its copy in Sent itself.
    const account = await connect(DAVE, "microsoft");
    expect(account).toMatchObject({ provider: "outlook", auth_method: "oauth2", oauth_provider: "microsoft" });
    const messageId = newMessageId(DAVE);
    const outgoing = await insertMailOutgoing(db(), {
      userId,
      accountId: account.id,
      draftId: null,
      sendAt: new Date(Date.now() - 1000),
      messageId,
      from: { name: "Dave", email: DAVE },
      to: [{ name: "Someone", email: "someone@example.test" }],
      cc: [],
      bcc: [],
      subject: "Sent with XOAUTH2",
      text: "hello",
      html: null,
      inReplyTo: null,
      references: [],
      replyToMessageId: null,
      attachmentIds: [],
    });
    const deps = { db: db(), encryptionKey: key, limits, events: bus, oauth: { db: db(), clients } };
    expect(await sendOutgoing(deps, outgoing.id, { lastAttempt: false })).toBe("sent");
    const accepted = await smtp.waitForAccepted(1, 10_000);
    expect(accepted.map((mail) => mail.subject)).toContain("Sent with XOAUTH2");
    const sent = await dovecot.messages(DAVE, "Sent");
    expect(sent.map((entry) => entry.source.toString())).toEqual([
      expect.stringContaining(`Message-ID: <${messageId}>`),
    ]);
  }, 40_000);

  it("puts the account in error when the refresh token is revoked, tells the user, and stops trying", async () => {
    const account = await connect(ERIN);
    await vi.waitFor(async () => expect((await reload(account.id)).status).toBe("ready"), { timeout: 15_000 });
    oauth.revokeAccess(ERIN);
    // The live IDLE connection stays signed in; the pass that new mail starts needs a new login.
    await dovecot.append(ERIN, "INBOX", raw("e-1@t", "After revocation"));
    await vi.waitFor(async () => expect((await reload(account.id)).status).toBe("error"), { timeout: 15_000 });
    const failed = await reload(account.id);
    expect(failed.error_code).toBe("MAIL_AUTH_FAILED");
    expect(failed.error_message).toMatch(/Google no longer accepts .*Reconnect/);
    // The row changes first; the event follows from the runner.
    await vi.waitFor(() =>
      expect(statusEvents(account)).toContainEqual({
        type: "account.status",
        accountId: account.id,
        status: "error",
        error: { code: "MAIL_AUTH_FAILED", message: failed.error_message },
      }),
    );

    // Several lease renewals and more new mail later: no more refreshes or logins, still held, still in error.
    const tries = refreshes();
    await dovecot.append(ERIN, "INBOX", raw("e-2@t", "Still revoked"));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(refreshes()).toBe(tries);
    expect(worker.heldAccounts()).toContain(account.id);
    expect(await reload(account.id)).toMatchObject({ status: "error", error_code: "MAIL_AUTH_FAILED" });
    expect(await subjectsIn(account)).not.toContain("Still revoked");

    // Reconnecting (new tokens) is the user's change the runner waits for: it syncs again at once.
    await connect(ERIN);
    await vi.waitFor(async () => expect(await subjectsIn(account)).toContain("Still revoked"), { timeout: 15_000 });
    await vi.waitFor(
      async () => expect(await reload(account.id)).toMatchObject({ status: "ready", error_code: null }),
      { timeout: 10_000 },
    );
  }, 60_000);
});
