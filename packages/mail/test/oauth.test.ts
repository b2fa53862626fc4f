import { randomBytes } from "node:crypto";
import { loadConfig } from "@tidings/config";
import { findMailAccount, type MailAccountRow, updateMailAccount } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import {
  freePort,
  type SmtpSink,
  services,
  startDovecot,
  startOAuthServer,
  startSmtpSink,
  type TestDovecot,
  type TestOAuthServer,
} from "@tidings/testing";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  completeMailOAuth,
  imapOptionsWithAuth,
  type MailAuth,
  MailError,
  type MailOAuthDeps,
  MailOAuthError,
  openMailOAuthTokens,
  parseAllowedPrivateHosts,
  resolveMailAuth,
  revokeMailOAuth,
  smtpOptionsWithAuth,
  startMailOAuth,
  withMailAuth,
} from "../src/index.ts";

const limits = { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]), timeoutMs: 5_000 };
const APP_URL = "http://127.0.0.1:5999";
const ALICE = "alice@tidings.test";
const BOB = "bob@tidings.test";

describe.skipIf(!services().dovecot)("OAuth2 mailboxes against a local authorization server and Dovecot", () => {
  let oauth: TestOAuthServer;
  let dovecot: TestDovecot;
  let smtp: SmtpSink;
  let testDb: TestDatabase;
  let deps: MailOAuthDeps;
  let userId: string;

  /** What the browser does: open the authorization URL, follow the redirect back to the callback. */
  async function authorize(provider: "google" | "microsoft" = "google"): Promise<URLSearchParams> {
    const { authorizeUrl } = await startMailOAuth(deps, { userId, provider });
    const answer = await fetch(authorizeUrl, { redirect: "manual" });
    const location = answer.headers.get("location");
    if (answer.status !== 302 || !location) throw new Error(`authorization answered ${answer.status}`);
    const callback = new URL(location);
    expect(callback.origin + callback.pathname).toBe(`${APP_URL}/oauth/mail/callback`);
    return callback.searchParams;
  }

  async function connect(email: string): Promise<MailAccountRow> {
    oauth.signInAs(email);
    const { accountId } = await completeMailOAuth(deps, await authorize());
    const account = await findMailAccount(testDb.handle.db, userId, accountId);
    if (!account) throw new Error("account not stored");
    return account;
  }

  const reload = async (account: MailAccountRow) => {
    const row = await findMailAccount(testDb.handle.db, userId, account.id);
    if (!row) throw new Error("account gone");
    return row;
  };

  async function imapInboxCount(account: MailAccountRow, auth: MailAuth): Promise<number> {
    const client = new ImapFlow(await imapOptionsWithAuth(account, auth, limits));
    await client.connect();
    try {
      const status = await client.status("INBOX", { messages: true });
      if (!status) throw new Error("STATUS INBOX failed");
      return status.messages ?? -1;
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  const refreshes = () => oauth.tokenRequests().filter((request) => request.grantType === "refresh_token");

  beforeAll(async () => {
    oauth = await startOAuthServer();
    const introspect = async (user: string, token: string) => {
      const answer = await fetch(oauth.introspectionUrl, { headers: { authorization: `Bearer ${token}` } });
      const body = (await answer.json()) as { active: boolean; email?: string };
      return body.active && body.email === user;
    };
    [dovecot, smtp, testDb] = await Promise.all([
      startDovecot({
        users: { [ALICE]: "harness-password", [BOB]: "harness-password" },
        oauth2: { introspectionUrl: oauth.introspectionUrl },
      }),
      startSmtpSink({ oauth2: introspect }),
      createTestDatabase(),
    ]);
    const servers = {
      imap: { host: "127.0.0.1", port: dovecot.port, security: "none" },
      smtp: { host: "127.0.0.1", port: Number(new URL(smtp.url).port), security: "none" },
    };
    const config = loadConfig({
      APP_URL,
      MAIL_OAUTH_GOOGLE_CLIENT_ID: "tidings-test-client",
      MAIL_OAUTH_GOOGLE_CLIENT_SECRET: "tidings-test-secret",
      MAIL_OAUTH_GOOGLE_ENDPOINTS: JSON.stringify({ ...oauth.endpoints, ...servers }),
    });
    deps = {
      db: testDb.handle.db,
      encryptionKey: randomBytes(32),
      clients: config.mail.oauth,
      appUrl: config.appUrl,
    };
    userId = (
      await testDb.handle.db
        .insertInto("users")
        .values({ email: "owner@example.test", email_normalized: "owner@example.test" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    await dovecot.append(ALICE, "INBOX", "Subject: hello\r\nMessage-ID: <h@t>\r\n\r\nhi\r\n");
  }, 60_000);

  afterAll(async () => {
    await Promise.all([dovecot?.close(), smtp?.close(), testDb?.drop()]);
    await oauth?.close();
  });

  it("asks for the mail scopes with PKCE S256 and a state that is stored only hashed", async () => {
    const { authorizeUrl } = await startMailOAuth(deps, { userId, provider: "google" });
    const url = new URL(authorizeUrl);
    expect(url.origin + url.pathname).toBe(oauth.endpoints.authorize);
    const query = url.searchParams;
    expect(query.get("response_type")).toBe("code");
    expect(query.get("client_id")).toBe("tidings-test-client");
    expect(query.get("redirect_uri")).toBe(`${APP_URL}/oauth/mail/callback`);
    expect(query.get("scope")?.split(" ")).toEqual(["https://mail.google.com/", "openid", "email"]);
    expect(query.get("code_challenge_method")).toBe("S256");
    expect(query.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(query.get("access_type")).toBe("offline");
    const state = query.get("state") ?? "";
    expect(state.length).toBeGreaterThanOrEqual(32);
    const rows = await testDb.handle.db.selectFrom("mail_oauth_states").selectAll().execute();
    expect(rows.some((row) => row.user_id === userId)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(state);
  });

  it("refuses a provider without a configured client, naming it and the app-password way", async () => {
    const error = await startMailOAuth(deps, { userId, provider: "microsoft" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MailError);
    expect((error as MailError).reason).toBe("oauth-not-configured");
    expect((error as MailError).message).toMatch(/Microsoft.*app password/);
  });

  it("answers MAIL_CONNECTION_FAILED when the provider's discovery cannot be read, storing nothing", async () => {
    const google = deps.clients.google;
    if (!google) throw new Error("no client");
    const closedPort = `http://127.0.0.1:${await freePort()}`;
    const unreachable = { ...google, issuer: closedPort, discovery: true };
    const before = await testDb.handle.db.selectFrom("mail_oauth_states").select("state_hash").execute();
    const error = await startMailOAuth(
      { ...deps, clients: { google: unreachable, microsoft: undefined } },
      { userId, provider: "google" },
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "MAIL_CONNECTION_FAILED", reason: "oauth-unreachable" });
    expect((error as Error).message).toMatch(/^Google could not be reached/);
    expect(await testDb.handle.db.selectFrom("mail_oauth_states").select("state_hash").execute()).toEqual(before);
  });

  it("connects a working mailbox: IMAP and SMTP sign in with XOAUTH2, tokens stored sealed", async () => {
    const account = await connect(ALICE);
    expect(account).toMatchObject({
      email: ALICE,
      provider: "gmail",
      auth_method: "oauth2",
      oauth_provider: "google",
      status: "connecting",
      imap_host: "127.0.0.1",
      imap_port: dovecot.port,
      imap_username: ALICE,
      smtp_username: ALICE,
    });
    const tokens = openMailOAuthTokens(deps.encryptionKey, { userId, email: ALICE }, account.credentials_sealed);
    expect(account.credentials_sealed).not.toContain(tokens.accessToken);
    expect(tokens.refreshToken).toBeTruthy();
    // The PKCE verifier was required: the code grant was the server's one accepted token request.
    expect(oauth.tokenRequests()).toEqual([{ grantType: "authorization_code", ok: true }]);

    const auth = await resolveMailAuth(testDb.handle.db, deps.encryptionKey, account, deps.clients);
    expect(auth).toEqual({ user: ALICE, accessToken: tokens.accessToken });
    expect(await imapInboxCount(account, auth)).toBe(1);

    const transport = nodemailer.createTransport(
      await smtpOptionsWithAuth(
        account,
        await resolveMailAuth(testDb.handle.db, deps.encryptionKey, account, deps.clients, { side: "smtp" }),
        limits,
      ),
    );
    await transport.sendMail({ from: ALICE, to: "someone@example.test", subject: "via XOAUTH2", text: "hello" });
    transport.close();
    expect((await smtp.waitForAccepted(1, 10_000)).map((mail) => mail.subject)).toContain("via XOAUTH2");
  });

  it("Dovecot and the SMTP sink refuse a token that is not active", async () => {
    const account = await reload(await connect(ALICE));
    const bogus: MailAuth = { user: ALICE, accessToken: "not-a-token" };
    await expect(imapInboxCount(account, bogus)).rejects.toMatchObject({ authenticationFailed: true });
    const transport = nodemailer.createTransport(await smtpOptionsWithAuth(account, bogus, limits));
    await expect(transport.verify()).rejects.toMatchObject({ code: "EAUTH" });
    transport.close();
  });

  it("uses a state once, and not after its owner's request expired or with a provider refusal", async () => {
    oauth.signInAs(ALICE);
    const callback = await authorize();
    await completeMailOAuth(deps, callback);
    await expect(completeMailOAuth(deps, callback)).rejects.toMatchObject({ failure: "invalid_state" });

    const stale = await authorize();
    await testDb.handle.db
      .updateTable("mail_oauth_states")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    await expect(completeMailOAuth(deps, stale)).rejects.toMatchObject({ failure: "invalid_state" });

    const forged = new URLSearchParams({ code: "x", state: "made-up" });
    await expect(completeMailOAuth(deps, forged)).rejects.toBeInstanceOf(MailOAuthError);

    const refused = await authorize();
    refused.delete("code");
    refused.set("error", "access_denied");
    await expect(completeMailOAuth(deps, refused)).rejects.toMatchObject({ failure: "denied" });
  });

  it("refreshes an access token shortly before it expires, without the user, and stores the new one sealed", async () => {
    oauth.setAccessTokenLifetime(120); // inside the five-minute margin: due for refresh at once
    const account = await connect(BOB);
    oauth.setAccessTokenLifetime(3600);
    const before = openMailOAuthTokens(deps.encryptionKey, { userId, email: BOB }, account.credentials_sealed);
    const refreshCount = refreshes().length;

    // Two workers asking at once refresh once (the row lock), and both get the new token.
    const [first, second] = await Promise.all([
      resolveMailAuth(testDb.handle.db, deps.encryptionKey, account, deps.clients),
      resolveMailAuth(testDb.handle.db, deps.encryptionKey, account, deps.clients),
    ]);
    expect(refreshes().length).toBe(refreshCount + 1);
    expect(first).toEqual(second);
    const after = openMailOAuthTokens(
      deps.encryptionKey,
      { userId, email: BOB },
      (await reload(account)).credentials_sealed,
    );
    expect(first).toEqual({ user: BOB, accessToken: after.accessToken });
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.expiresAt).toBeGreaterThan(Date.now() + 3000_000);
    expect(await imapInboxCount(await reload(account), first)).toBe(0);
  });

  it("refreshes once when the server refuses a token it did not expect to be dead", async () => {
    const account = await connect(ALICE);
    oauth.expireAccessTokens(); // the provider ended the tokens early; the stored expiry still says fresh
    const refreshCount = refreshes().length;
    const count = await withMailAuth(
      testDb.handle.db,
      deps.encryptionKey,
      account,
      deps.clients,
      "imap",
      async (auth) => imapInboxCount(account, auth),
    );
    expect(count).toBe(1);
    expect(refreshes().length).toBe(refreshCount + 1);
    expect((await reload(account)).status).toBe("connecting");
  });

  it("signs in with an older copy of the row (a runner's) when the stored tokens were replaced and then ended early", async () => {
    const older = await connect(ALICE);
    await connect(ALICE); // reconnected meanwhile: new tokens stored, the older copy still has the first ones
    oauth.expireAccessTokens();
    const refreshCount = refreshes().length;
    const count = await withMailAuth(testDb.handle.db, deps.encryptionKey, older, deps.clients, "imap", (auth) =>
      imapInboxCount(older, auth),
    );
    expect(count).toBe(1);
    // The stored token found in place of the refused one was dead too: renewed once, not given up.
    expect(refreshes().length).toBe(refreshCount + 1);
  });

  it("puts the account in error with MAIL_AUTH_FAILED when the refresh token was revoked; reconnecting clears it", async () => {
    const account = await connect(ALICE);
    oauth.revokeAccess(ALICE);
    const error = await withMailAuth(testDb.handle.db, deps.encryptionKey, account, deps.clients, "imap", (auth) =>
      imapInboxCount(account, auth),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MailError);
    expect(error).toMatchObject({ code: "MAIL_AUTH_FAILED", reason: "oauth-invalid-grant" });
    const failed = await reload(account);
    expect(failed).toMatchObject({ status: "error", error_code: "MAIL_AUTH_FAILED" });
    expect(failed.error_message).toMatch(/Reconnect/);
    expect(failed.error_message).not.toContain(
      openMailOAuthTokens(deps.encryptionKey, { userId, email: ALICE }, failed.credentials_sealed).refreshToken ?? "-",
    );

    const again = await connect(ALICE);
    expect(again.id).toBe(account.id);
    expect(again).toMatchObject({ status: "connecting", error_code: null, error_message: null });
    const auth = await resolveMailAuth(testDb.handle.db, deps.encryptionKey, again, deps.clients);
    expect(await imapInboxCount(again, auth)).toBe(1);
  });

  it("a paused account whose refresh token was revoked stays paused, with the reason noted", async () => {
    const account = await connect(ALICE);
    await updateMailAccount(testDb.handle.db, userId, account.id, { status: "paused" });
    oauth.revokeAccess(ALICE);
    const tokens = openMailOAuthTokens(deps.encryptionKey, { userId, email: ALICE }, account.credentials_sealed);
    const refused = await resolveMailAuth(testDb.handle.db, deps.encryptionKey, account, deps.clients, {
      forceRefresh: { refusedAccessToken: tokens.accessToken },
    }).catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ code: "MAIL_AUTH_FAILED", reason: "oauth-invalid-grant" });
    expect(await reload(account)).toMatchObject({
      status: "paused",
      error_code: "MAIL_AUTH_FAILED",
      error_message: expect.stringMatching(/Reconnect/),
    });
  });

  it("revokes the grant at the provider for a removed account: its refresh token no longer works", async () => {
    oauth.signInAs(BOB);
    const account = await connect(BOB);
    expect(await revokeMailOAuth(deps.encryptionKey, account, deps.clients)).toBe("revoked");
    expect(oauth.revocations()).toContain(BOB);
    const tokens = openMailOAuthTokens(deps.encryptionKey, { userId, email: BOB }, account.credentials_sealed);
    const refused = await resolveMailAuth(testDb.handle.db, deps.encryptionKey, account, deps.clients, {
      forceRefresh: { refusedAccessToken: tokens.accessToken },
    }).catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ code: "MAIL_AUTH_FAILED", reason: "oauth-invalid-grant" });
    // A provider without a revocation endpoint (Microsoft) and a password account are left alone.
    const google = deps.clients.google;
    if (!google) throw new Error("no client");
    const withoutRevocation = {
      google: { ...google, endpoints: { ...google.endpoints, revoke: undefined } },
      microsoft: undefined,
    };
    expect(await revokeMailOAuth(deps.encryptionKey, account, withoutRevocation)).toBe("unsupported");
    expect(await revokeMailOAuth(deps.encryptionKey, { ...account, auth_method: "password" }, deps.clients)).toBe(
      "unsupported",
    );
  });
});
