import { randomBytes } from "node:crypto";
import { createSession, signAccessToken } from "@tidings/auth";
import {
  findMailAccount,
  insertUserIfAbsent,
  listMailFolders,
  markEmailVerified,
  setMailMessageFlags,
  sql,
} from "@tidings/db";
import { createMailFixture, createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { type DeliveredMailEvent, openMailCredentials } from "@tidings/mail";
import { freePort, type SmtpSink, services, startDovecot, startSmtpSink, type TestDovecot } from "@tidings/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, appCodeForTrpcCode } from "../src/errors.ts";
import { appRouter, createCallerFactory, createContext, type InnerContext, plainRequest } from "../src/index.ts";
import { testInnerContext } from "./context.ts";

// The mailAccount procedures called in-process on a real database, against a real Dovecot and the
// SMTP sink (both checking passwords). The HTTP acceptance test is apps/server/test/mail-account-http.test.ts.

const PASSWORD = "imap-and-smtp-secret-9137";
const WRONG = "not-the-password-5521";
const createCaller = createCallerFactory(appRouter);

let testDb: TestDatabase;
let inner: InnerContext;
let dovecot: TestDovecot;
let smtp: SmtpSink;
let smtpPort: number;

beforeAll(async () => {
  testDb = await createTestDatabase();
  inner = await testInnerContext(testDb.handle.db, { MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1" });
  if (services().dovecot) {
    [dovecot, smtp] = await Promise.all([
      startDovecot({ users: { alice: PASSWORD } }),
      startSmtpSink({ users: { alice: PASSWORD } }),
    ]);
    smtpPort = Number(new URL(smtp.url).port);
  }
}, 60_000);
afterAll(async () => {
  await Promise.all([dovecot?.close(), smtp?.close()]);
  await testDb?.drop();
});

type Caller = ReturnType<typeof createCaller>;

/** An account with a fresh session and a caller signed in with it; verified unless told otherwise. */
async function person(
  options: { verified?: boolean; ctx?: InnerContext } = {},
): Promise<{ id: string; caller: Caller }> {
  const context = options.ctx ?? inner;
  const { db } = testDb.handle;
  const email = `p${randomBytes(5).toString("hex")}@example.test`;
  const user = await insertUserIfAbsent(db, { email, emailNormalized: email, displayName: null, passwordHash: "x" });
  if (!user) throw new Error(`${email} exists`);
  if (options.verified !== false) await markEmailVerified(db, user.id, false);
  const { session } = await createSession(
    db,
    { userId: user.id, origin: { ip: "127.0.0.1", userAgent: "mail-account" }, method: "password" },
    context.auth.sessions,
  );
  const access = await signAccessToken(
    context.auth.keyRing,
    { userId: user.id, sessionId: session.id },
    context.auth.tokens,
  );
  const caller = createCaller(createContext(context, plainRequest({ accessToken: access.token })));
  return { id: user.id, caller };
}

/** The user's security events of these types, oldest first. */
function trail(userId: string, types: string[]) {
  return testDb.handle.db
    .selectFrom("audit_events")
    .select(["type", "metadata"])
    .where("user_id", "=", userId)
    .where("type", "in", types)
    .orderBy("id")
    .execute();
}

/** The tRPC code, app code, message and extra data a call fails with. */
async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  const appCode = error instanceof AppError ? error.appCode : appCodeForTrpcCode(error.code);
  const extra = error instanceof AppError ? error.extra : {};
  return { code: error.code, appCode, message: error.message, extra, cause: error.cause };
}

const imapSide = (overrides: Partial<{ host: string; port: number; password: string }> = {}) => ({
  host: "127.0.0.1",
  port: dovecot.port,
  security: "none" as const,
  username: "alice",
  password: PASSWORD,
  ...overrides,
});
const smtpSide = (overrides: Partial<{ host: string; port: number; password: string }> = {}) => ({
  host: "127.0.0.1",
  port: smtpPort,
  security: "none" as const,
  username: "alice",
  password: PASSWORD,
  ...overrides,
});
const mailbox = () => `alice-${randomBytes(4).toString("hex")}@example.test`;
const accountCount = async (userId: string) =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from mail_accounts where user_id = ${userId}`.execute(
        testDb.handle.db,
      )
    ).rows[0]?.n,
  );
const unknownId = "00000000-0000-4000-8000-000000000000";

describe("who may call mailAccount", () => {
  it("refuses a signed-out caller and a caller whose email is not verified, on every procedure", async () => {
    const unverified = await person({ verified: false });
    const signedOut = createCaller(createContext(inner, plainRequest()));
    const settings = { host: "127.0.0.1", port: 1, security: "none" as const, username: "a", password: "b" };
    const calls = (caller: Caller): Array<() => Promise<unknown>> => [
      () => caller.mailAccount.presets(),
      () => caller.mailAccount.test({ email: "a@example.test", imap: settings, smtp: settings }),
      () => caller.mailAccount.add({ email: "a@example.test", imap: settings, smtp: settings }),
      () => caller.mailAccount.list(),
      () => caller.mailAccount.update({ accountId: unknownId, displayName: "x" }),
      () => caller.mailAccount.resync({ accountId: unknownId }),
      () => caller.mailAccount.remove({ accountId: unknownId }),
    ];
    for (const call of calls(unverified.caller)) {
      expect(await failure(call())).toMatchObject({ code: "FORBIDDEN", appCode: "FORBIDDEN" });
    }
    for (const call of calls(signedOut)) {
      expect(await failure(call())).toMatchObject({ code: "UNAUTHORIZED", appCode: "TOKEN_INVALID" });
    }
    expect(await accountCount(unverified.id)).toBe(0);
  });
});

describe("rate limit", () => {
  it("counts mailAccount.test and add against the per-user default limit", async () => {
    const limited = await testInnerContext(testDb.handle.db, {
      MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
      RATE_LIMIT_DEFAULT: "2/60",
    });
    const { caller } = await person({ ctx: limited });
    const closed = await freePort();
    const settings = { host: "127.0.0.1", port: closed, security: "none" as const, username: "a", password: "b" };
    const input = { email: "a@example.test", imap: settings, smtp: settings };
    await caller.mailAccount.test(input);
    await failure(caller.mailAccount.add(input));
    const refused = await failure(caller.mailAccount.test(input));
    expect(refused).toMatchObject({ code: "TOO_MANY_REQUESTS", appCode: "RATE_LIMITED" });
    expect(refused.extra).toMatchObject({ retryAfterSeconds: expect.any(Number) });
  });
});

describe("mailAccount.presets", () => {
  it("lists every provider with help, and offers no OAuth when no client is configured", async () => {
    const { caller } = await person();
    const presets = await caller.mailAccount.presets();
    expect(presets.map((preset) => preset.id)).toEqual([
      "gmail",
      "outlook",
      "icloud",
      "yahoo",
      "fastmail",
      "proton-bridge",
      "gmx",
      "zoho",
      "custom",
    ]);
    for (const preset of presets) {
      expect(Object.keys(preset).sort()).toEqual(["domains", "help", "id", "imap", "name", "oauth", "smtp"]);
      expect(preset.oauth).toBeNull();
      expect(preset.help.length).toBeGreaterThan(20);
    }
    expect(presets.find((preset) => preset.id === "gmail")?.help).toMatch(/app password/);
    expect(presets.find((preset) => preset.id === "gmail")?.imap).toEqual({
      host: "imap.gmail.com",
      port: 993,
      security: "tls",
    });
  });

  it("offers Google sign-in when MAIL_OAUTH_GOOGLE_CLIENT_ID is configured, Microsoft still not", async () => {
    const withGoogle = await testInnerContext(testDb.handle.db, { MAIL_OAUTH_GOOGLE_CLIENT_ID: "client-id" });
    const { caller } = await person({ ctx: withGoogle });
    const presets = await caller.mailAccount.presets();
    expect(presets.find((preset) => preset.id === "gmail")).toMatchObject({ oauth: "google" });
    expect(presets.find((preset) => preset.id === "gmail")?.help).toMatch(/^Sign in with Google/);
    expect(presets.find((preset) => preset.id === "outlook")?.oauth).toBeNull();
  });
});

describe.skipIf(!services().dovecot)("mailAccount against Dovecot and the SMTP sink", () => {
  describe("mailAccount.test", () => {
    it("answers ok for both sides with the right passwords and saves nothing", async () => {
      const { id, caller } = await person();
      expect(await caller.mailAccount.test({ email: mailbox(), imap: imapSide(), smtp: smtpSide() })).toEqual({
        imap: { ok: true },
        smtp: { ok: true },
      });
      expect(await accountCount(id)).toBe(0);
    });

    it("says per side what failed, without the password", async () => {
      const { id, caller } = await person();
      const closed = await freePort();
      const answer = await caller.mailAccount.test({
        email: mailbox(),
        imap: imapSide({ password: WRONG }),
        smtp: smtpSide({ port: closed }),
      });
      expect(answer.imap).toMatchObject({ ok: false, error: { code: "MAIL_AUTH_FAILED" } });
      expect(answer.smtp).toMatchObject({ ok: false, error: { code: "MAIL_CONNECTION_FAILED", reason: "refused" } });
      const smtpWrong = await caller.mailAccount.test({
        email: mailbox(),
        imap: imapSide(),
        smtp: smtpSide({ password: WRONG }),
      });
      expect(smtpWrong).toMatchObject({ imap: { ok: true }, smtp: { ok: false, error: { code: "MAIL_AUTH_FAILED" } } });
      const guarded = await caller.mailAccount.test({
        email: mailbox(),
        imap: imapSide({ host: "127.0.0.2" }),
        smtp: smtpSide({ host: "::1" }),
      });
      expect(guarded).toMatchObject({
        imap: { ok: false, error: { code: "HOST_NOT_ALLOWED" } },
        smtp: { ok: false, error: { code: "HOST_NOT_ALLOWED" } },
      });
      expect(JSON.stringify([answer, smtpWrong, guarded])).not.toMatch(new RegExp(`${WRONG}|${PASSWORD}`));
      expect(await accountCount(id)).toBe(0);
    });
  });

  describe("mailAccount.add", () => {
    it("saves the account with sealed credentials, status connecting and the default sync window", async () => {
      const { id, caller } = await person();
      const email = mailbox();
      const account = await caller.mailAccount.add({
        email: email.toUpperCase(),
        displayName: "Alice at work",
        imap: imapSide(),
        smtp: smtpSide(),
      });
      expect(account).toEqual({
        id: expect.any(String),
        email,
        displayName: "Alice at work",
        provider: "custom",
        status: "connecting",
        error: null,
        lastSyncAt: null,
        messageCount: 0,
        unreadCount: 0,
        aiEnabled: false,
        createdAt: expect.any(Date),
      });
      expect(JSON.stringify(account)).not.toContain(PASSWORD);

      const row = await findMailAccount(testDb.handle.db, id, account.id);
      expect(row).toMatchObject({
        imap_host: "127.0.0.1",
        imap_port: dovecot.port,
        imap_username: "alice",
        smtp_port: smtpPort,
        sync_days: inner.config.mail.syncDays,
        resync_requested_at: null,
      });
      expect(row?.credentials_sealed).not.toContain(PASSWORD);
      expect(
        openMailCredentials(inner.auth.sessions.encryptionKey, { userId: id, email }, row?.credentials_sealed ?? ""),
      ).toEqual({ imapPassword: PASSWORD, smtpPassword: PASSWORD });

      // The owner's security trail shows the mailbox was connected, without its password.
      const events = await trail(id, ["mail_account_added"]);
      expect(events).toEqual([
        { type: "mail_account_added", metadata: { accountId: account.id, email, method: "password" } },
      ]);
      expect(JSON.stringify(events)).not.toContain(PASSWORD);
    });

    it("takes syncDays when given, and names the provider from the address", async () => {
      const { id, caller } = await person();
      const account = await caller.mailAccount.add({
        email: "someone@gmail.com",
        imap: imapSide(),
        smtp: smtpSide(),
        syncDays: 30,
      });
      expect(account.provider).toBe("gmail");
      expect((await findMailAccount(testDb.handle.db, id, account.id))?.sync_days).toBe(30);
    });

    it("refuses with the failing side's code and data, and saves nothing", async () => {
      const { id, caller } = await person();
      const closed = await freePort();
      const cases = [
        [{ imap: imapSide({ password: WRONG }), smtp: smtpSide() }, "MAIL_AUTH_FAILED", { protocol: "imap" }],
        [{ imap: imapSide(), smtp: smtpSide({ password: WRONG }) }, "MAIL_AUTH_FAILED", { protocol: "smtp" }],
        [
          { imap: imapSide({ port: closed }), smtp: smtpSide() },
          "MAIL_CONNECTION_FAILED",
          { protocol: "imap", reason: "refused" },
        ],
        [
          { imap: imapSide(), smtp: smtpSide({ port: closed }) },
          "MAIL_CONNECTION_FAILED",
          { protocol: "smtp", reason: "refused" },
        ],
        [{ imap: imapSide({ host: "127.0.0.2" }), smtp: smtpSide() }, "HOST_NOT_ALLOWED", { protocol: "imap" }],
        [{ imap: imapSide(), smtp: smtpSide({ host: "[::1]" }) }, "HOST_NOT_ALLOWED", { protocol: "smtp" }],
      ] as const;
      for (const [sides, appCode, extra] of cases) {
        const refused = await failure(caller.mailAccount.add({ email: mailbox(), ...sides }));
        expect(refused, appCode).toMatchObject({ code: "BAD_REQUEST", appCode, extra });
        expect(refused.message).not.toMatch(new RegExp(`${WRONG}|${PASSWORD}`));
        expect(JSON.stringify(refused.extra)).not.toMatch(new RegExp(`${WRONG}|${PASSWORD}`));
      }
      expect(await accountCount(id)).toBe(0);
    });

    it("refuses the same address twice for one user with INVALID_INPUT naming email; another user may add it", async () => {
      const alice = await person();
      const bob = await person();
      const email = mailbox();
      await alice.caller.mailAccount.add({ email, imap: imapSide(), smtp: smtpSide() });
      const again = await failure(
        alice.caller.mailAccount.add({ email: ` ${email.toUpperCase()} `, imap: imapSide(), smtp: smtpSide() }),
      );
      expect(again).toMatchObject({ code: "BAD_REQUEST", appCode: "INVALID_INPUT" });
      expect(again.extra).toMatchObject({ issues: [{ path: ["email"] }] });
      expect(await accountCount(alice.id)).toBe(1);
      await expect(bob.caller.mailAccount.add({ email, imap: imapSide(), smtp: smtpSide() })).resolves.toMatchObject({
        email,
      });
    });

    it("answers INVALID_INPUT naming the bad field", async () => {
      const { caller } = await person();
      const bad = await failure(
        caller.mailAccount.add({ email: mailbox(), imap: { ...imapSide(), port: 70_000 }, smtp: smtpSide() }),
      );
      expect(bad).toMatchObject({ code: "BAD_REQUEST", appCode: "INVALID_INPUT" });
      expect(JSON.stringify((bad.cause as { issues?: unknown })?.issues)).toContain('"imap","port"');
    });
  });

  describe("mailAccount.list", () => {
    it("answers only the caller's accounts, with message and unread counts from the database", async () => {
      const alice = await person();
      const bob = await person();
      const added = await alice.caller.mailAccount.add({ email: mailbox(), imap: imapSide(), smtp: smtpSide() });
      await bob.caller.mailAccount.add({ email: mailbox(), imap: imapSide(), smtp: smtpSide() });
      const fixture = await createMailFixture(testDb.handle.db, alice.id);
      const { threadId } = await fixture.newMessage();
      await fixture.newMessage(threadId);
      await fixture.newMessage();
      await setMailMessageFlags(testDb.handle.db, fixture.folderId, 1, {
        seen: true,
        flagged: false,
        answered: false,
        draft: false,
      });

      const listed = await alice.caller.mailAccount.list();
      expect(listed.map((account) => account.id).sort()).toEqual([added.id, fixture.accountId].sort());
      expect(listed.find((account) => account.id === fixture.accountId)).toMatchObject({
        messageCount: 3,
        unreadCount: 2,
      });
      expect(listed.find((account) => account.id === added.id)).toMatchObject({ messageCount: 0, unreadCount: 0 });
      expect(JSON.stringify(listed)).not.toMatch(/sealed|password/i);
    });
  });

  describe("mailAccount.update", () => {
    it("changes the name, sync window and AI switch; pausing and resuming set the status", async () => {
      const { id, caller } = await person();
      const events: DeliveredMailEvent[] = [];
      const stop = inner.mailEvents.subscribe(id, (event) => events.push(event));
      const account = await caller.mailAccount.add({ email: mailbox(), imap: imapSide(), smtp: smtpSide() });

      const renamed = await caller.mailAccount.update({
        accountId: account.id,
        displayName: "Renamed",
        syncDays: 90,
        aiEnabled: false,
      });
      expect(renamed).toMatchObject({ displayName: "Renamed", aiEnabled: false, status: "connecting" });
      expect(await caller.mailAccount.update({ accountId: account.id, displayName: "  " })).toMatchObject({
        displayName: null,
      });
      expect((await findMailAccount(testDb.handle.db, id, account.id))?.sync_days).toBe(90);

      expect(await caller.mailAccount.update({ accountId: account.id, paused: true })).toMatchObject({
        status: "paused",
      });
      expect(await caller.mailAccount.update({ accountId: account.id, paused: false })).toMatchObject({
        status: "connecting",
      });
      stop();
      expect(events.map((delivered) => delivered.event)).toEqual([
        { type: "account.status", accountId: account.id, status: "connecting" },
        { type: "account.status", accountId: account.id, status: "paused", error: null },
        { type: "account.status", accountId: account.id, status: "connecting", error: null },
      ]);
    });

    it("re-tests changed server settings before saving, keeping the stored password when none is given", async () => {
      const { id, caller } = await person();
      const email = mailbox();
      const account = await caller.mailAccount.add({ email, imap: imapSide(), smtp: smtpSide() });
      const key = inner.auth.sessions.encryptionKey;
      await sql`update mail_accounts set status = 'error', error_code = 'MAIL_AUTH_FAILED', error_message = 'refused', error_at = now() where id = ${account.id}`.execute(
        testDb.handle.db,
      );

      // A wrong new password is refused and nothing changes.
      const refused = await failure(
        caller.mailAccount.update({ accountId: account.id, imap: imapSide({ password: WRONG }) }),
      );
      expect(refused).toMatchObject({ appCode: "MAIL_AUTH_FAILED", extra: { protocol: "imap" } });
      const unchanged = await findMailAccount(testDb.handle.db, id, account.id);
      expect(openMailCredentials(key, { userId: id, email }, unchanged?.credentials_sealed ?? "")).toEqual({
        imapPassword: PASSWORD,
        smtpPassword: PASSWORD,
      });
      expect(unchanged?.status).toBe("error");

      // A new host that is not allowed is refused as well.
      expect(
        await failure(caller.mailAccount.update({ accountId: account.id, smtp: smtpSide({ host: "127.0.0.2" }) })),
      ).toMatchObject({ appCode: "HOST_NOT_ALLOWED", extra: { protocol: "smtp" } });

      // No password: the stored one is used to test the new server and is kept.
      const { password: _password, ...imapWithoutPassword } = imapSide();
      const secondSmtp = await startSmtpSink({ users: { alice: PASSWORD } });
      try {
        const secondPort = Number(new URL(secondSmtp.url).port);
        const moved = await caller.mailAccount.update({
          accountId: account.id,
          imap: imapWithoutPassword,
          smtp: { ...smtpSide(), port: secondPort, password: undefined },
        });
        expect(moved).toMatchObject({ status: "connecting", error: null });
        const row = await findMailAccount(testDb.handle.db, id, account.id);
        expect(row?.smtp_port).toBe(secondPort);
        expect(openMailCredentials(key, { userId: id, email }, row?.credentials_sealed ?? "")).toEqual({
          imapPassword: PASSWORD,
          smtpPassword: PASSWORD,
        });
      } finally {
        await secondSmtp.close();
      }

      // A port change without a password is tested with the stored password (and fails on a closed port).
      const closed = await freePort();
      expect(
        await failure(
          caller.mailAccount.update({ accountId: account.id, imap: { ...imapWithoutPassword, port: closed } }),
        ),
      ).toMatchObject({ appCode: "MAIL_CONNECTION_FAILED", extra: { protocol: "imap", reason: "refused" } });
      expect((await findMailAccount(testDb.handle.db, id, account.id))?.imap_port).toBe(dovecot.port);
    });
  });

  describe("mailAccount.resync and remove", () => {
    it("resync marks the account for the worker and answers queued", async () => {
      const { id, caller } = await person();
      const account = await caller.mailAccount.add({ email: mailbox(), imap: imapSide(), smtp: smtpSide() });
      await sql`update mail_accounts set status = 'ready' where id = ${account.id}`.execute(testDb.handle.db);
      expect(await caller.mailAccount.resync({ accountId: account.id })).toEqual({ status: "queued" });
      const row = await findMailAccount(testDb.handle.db, id, account.id);
      expect(row?.status).toBe("connecting");
      expect(row?.resync_requested_at).toBeInstanceOf(Date);
    });

    it("remove deletes the account with its folders, threads and messages", async () => {
      const { id, caller } = await person();
      const fixture = await createMailFixture(testDb.handle.db, id);
      await fixture.newMessage();
      expect(await caller.mailAccount.remove({ accountId: fixture.accountId })).toEqual({ status: "ok" });
      expect(await findMailAccount(testDb.handle.db, id, fixture.accountId)).toBeUndefined();
      expect(await listMailFolders(testDb.handle.db, fixture.accountId)).toEqual([]);
      const left = await sql<{ n: string }>`
        select (select count(*) from mail_messages where account_id = ${fixture.accountId})
             + (select count(*) from mail_threads where account_id = ${fixture.accountId}) as n`.execute(
        testDb.handle.db,
      );
      expect(Number(left.rows[0]?.n)).toBe(0);
      expect(await failure(caller.mailAccount.remove({ accountId: fixture.accountId }))).toMatchObject({
        appCode: "NOT_FOUND",
      });
      // One event, for the removal that happened.
      expect(await trail(id, ["mail_account_removed"])).toEqual([
        { type: "mail_account_removed", metadata: { accountId: fixture.accountId, email: expect.any(String) } },
      ]);
    });
  });

  describe("another user's account (S27)", () => {
    it("answers NOT_FOUND to update, resync and remove, and changes nothing", async () => {
      const owner = await person();
      const other = await person();
      const account = await owner.caller.mailAccount.add({ email: mailbox(), imap: imapSide(), smtp: smtpSide() });
      const before = await findMailAccount(testDb.handle.db, owner.id, account.id);
      const attempts = [
        () => other.caller.mailAccount.update({ accountId: account.id, displayName: "mine now", paused: true }),
        () => other.caller.mailAccount.update({ accountId: account.id, imap: imapSide() }),
        () => other.caller.mailAccount.resync({ accountId: account.id }),
        () => other.caller.mailAccount.remove({ accountId: account.id }),
        () => other.caller.mailAccount.update({ accountId: unknownId, displayName: "x" }),
      ];
      for (const attempt of attempts) {
        expect(await failure(attempt())).toMatchObject({ code: "NOT_FOUND", appCode: "NOT_FOUND" });
      }
      expect(await findMailAccount(testDb.handle.db, owner.id, account.id)).toEqual(before);
      expect(await other.caller.mailAccount.list()).toEqual([]);
    });
  });
});
