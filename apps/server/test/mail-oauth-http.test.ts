import { loadConfig } from "@tidings/config";
import { findMailAccount, listMailAccounts } from "@tidings/db";
import { imapOptionsWithAuth, openMailOAuthTokens, parseAllowedPrivateHosts, resolveMailAuth } from "@tidings/mail";
import { type AuthStack, bearer, signUp, startAuthStack, trpcCall } from "@tidings/test-stack";
import {
  type SmtpSink,
  services,
  startDovecot,
  startOAuthServer,
  startSmtpSink,
  type TestDovecot,
  type TestOAuthServer,
} from "@tidings/testing";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Issue #16 must-hold 10 over HTTP: a server and worker on Postgres and Redis, a local OAuth2
// authorization server (oauth2-mock-server, auto-approving), a Dovecot whose oauth2 passdb checks
// bearer tokens against that server's introspection, and an SMTP sink that takes XOAUTH2.
// Refresh and revocation are proven in packages/mail/test/oauth.test.ts on the same peers, syncing,
// actions and sending of OAuth2 accounts in packages/mail/test/oauth-sync.test.ts.

const MAILBOX = "carol@tidings.test";

describe.skipIf(!services().postgres || !services().redis || !services().dovecot)(
  "connecting a Gmail mailbox through OAuth2 (mailAccount.oauthStart, GET /oauth/mail/callback)",
  () => {
    let oauth: TestOAuthServer;
    let dovecot: TestDovecot;
    let smtp: SmtpSink;
    let stack: AuthStack;
    let url: string;
    let appUrl: string;

    beforeAll(async () => {
      oauth = await startOAuthServer();
      [dovecot, smtp] = await Promise.all([
        startDovecot({
          users: { [MAILBOX]: "harness-password" },
          oauth2: { introspectionUrl: oauth.introspectionUrl },
        }),
        // Where the account's SMTP points; sending with XOAUTH2 is tested in packages/mail.
        startSmtpSink({
          oauth2: async (user, token) => {
            const answer = await fetch(oauth.introspectionUrl, { headers: bearer(token) });
            const body = (await answer.json()) as { active: boolean; email?: string };
            return body.active && body.email === user;
          },
        }),
      ]);
      await dovecot.append(MAILBOX, "INBOX", "Subject: welcome\r\nMessage-ID: <w@t>\r\n\r\nhello\r\n");
      stack = await startAuthStack({
        env: {
          MAIL_ALLOWED_PRIVATE_HOSTS: "127.0.0.1",
          // The worker looks for new accounts every third of this, so the connected one is synced soon.
          MAIL_LEASE_SECONDS: "3",
          MAIL_OAUTH_GOOGLE_CLIENT_ID: "tidings-http-client",
          MAIL_OAUTH_GOOGLE_CLIENT_SECRET: "tidings-http-secret",
          MAIL_OAUTH_GOOGLE_ENDPOINTS: JSON.stringify({
            ...oauth.endpoints,
            imap: { host: "127.0.0.1", port: dovecot.port, security: "none" },
            smtp: { host: "127.0.0.1", port: Number(new URL(smtp.url).port), security: "none" },
          }),
        },
      });
      url = stack.servers[0]?.url ?? "";
      appUrl = String(stack.env.APP_URL);
    }, 120_000);

    afterAll(async () => {
      await stack?.stop();
      await Promise.all([dovecot?.close(), smtp?.close()]);
      await oauth?.close();
    });

    /** What the browser does: the provider's page (auto-approved), then back to APP_URL, which is this server. */
    async function signInWithGoogle(accessToken: string): Promise<{ callback: URL; landing: URL }> {
      const started = await trpcCall<{ authorizeUrl: string }>(
        url,
        "mutation",
        "mailAccount.oauthStart",
        { provider: "google" },
        bearer(accessToken),
      );
      expect(started.error).toBeUndefined();
      const approval = await fetch(started.data?.authorizeUrl ?? "", { redirect: "manual" });
      expect(approval.status).toBe(302);
      const callback = new URL(approval.headers.get("location") ?? "");
      expect(callback.origin + callback.pathname).toBe(`${appUrl}/oauth/mail/callback`);
      return { callback, landing: await followCallback(callback) };
    }

    async function followCallback(callback: URL): Promise<URL> {
      const answer = await fetch(new URL(callback.pathname + callback.search, url), { redirect: "manual" });
      expect(answer.status).toBe(302);
      expect(answer.headers.get("cache-control")).toBe("no-store");
      return new URL(answer.headers.get("location") ?? "");
    }

    it("connects a working account: listed for its owner, synced by the worker to ready with its mail counted, IMAP signs in with XOAUTH2", async () => {
      const owner = await signUp(stack, "oauth-owner@example.test");
      oauth.signInAs(MAILBOX);
      const { callback, landing } = await signInWithGoogle(owner.accessToken);
      expect(landing.origin + landing.pathname).toBe(`${appUrl}/settings/mail`);
      const accountId = landing.searchParams.get("connected") ?? "";
      expect(accountId).toMatch(/^[0-9a-f-]{36}$/);

      const listed = await trpcCall<{ id: string; email: string; provider: string; status: string }[]>(
        url,
        "query",
        "mailAccount.list",
        undefined,
        bearer(owner.accessToken),
      );
      expect(listed.data?.map(({ id, email, provider }) => ({ id, email, provider }))).toEqual([
        { id: accountId, email: MAILBOX, provider: "gmail" },
      ]);
      // The worker may have taken it already; it starts out connecting, never in error.
      expect(["connecting", "syncing", "ready"]).toContain(listed.data?.[0]?.status);

      // Connecting gives a working account: the worker syncs it with XOAUTH2 and counts its mail.
      await expect
        .poll(
          async () => {
            const answer = await trpcCall<{ id: string; status: string; messageCount: number; unreadCount: number }[]>(
              url,
              "query",
              "mailAccount.list",
              undefined,
              bearer(owner.accessToken),
            );
            const row = answer.data?.find((entry) => entry.id === accountId);
            return row && { status: row.status, messageCount: row.messageCount, unreadCount: row.unreadCount };
          },
          { timeout: 30_000, interval: 500 },
        )
        .toEqual({ status: "ready", messageCount: 1, unreadCount: 1 });
      const db = stack.testDb.handle.db;
      // The owner's security trail shows the mailbox was connected, and how.
      const added = await db
        .selectFrom("audit_events")
        .select(["type", "metadata"])
        .where("user_id", "=", owner.user.id)
        .where("type", "=", "mail_account_added")
        .execute();
      expect(added).toEqual([
        { type: "mail_account_added", metadata: { accountId, email: MAILBOX, method: "oauth2" } },
      ]);

      // The account works with what the server stored: its key opens the tokens, Dovecot takes them.
      const account = await findMailAccount(db, owner.user.id, accountId);
      if (!account) throw new Error("account not found");
      // The Gmail preset's servers, replaced by the test peers through MAIL_OAUTH_GOOGLE_ENDPOINTS.
      expect(account).toMatchObject({
        auth_method: "oauth2",
        oauth_provider: "google",
        imap_host: "127.0.0.1",
        imap_port: dovecot.port,
        smtp_port: Number(new URL(smtp.url).port),
        imap_username: MAILBOX,
        smtp_username: MAILBOX,
      });
      const encryptionKey = Buffer.from(String(stack.env.ENCRYPTION_KEY), "base64");
      const clients = loadConfig(stack.env).mail.oauth;
      const auth = await resolveMailAuth(db, encryptionKey, account, clients);
      expect(auth).toMatchObject({ user: MAILBOX, accessToken: expect.any(String) });
      const client = new ImapFlow(
        await imapOptionsWithAuth(account, auth, { allowedPrivateHosts: parseAllowedPrivateHosts(["127.0.0.1"]) }),
      );
      await client.connect();
      const inbox = await client.status("INBOX", { messages: true });
      await client.logout();
      expect(inbox ? inbox.messages : undefined).toBe(1);

      // Neither the code nor a token reaches the server's log (S16, S23).
      const tokens = openMailOAuthTokens(
        encryptionKey,
        { userId: owner.user.id, email: MAILBOX },
        account.credentials_sealed,
      );
      const log = stack.servers[0]?.process.output() ?? "";
      expect(log).toContain("/oauth/mail/callback");
      expect(log).not.toContain(callback.searchParams.get("code") ?? "-");
      expect(log).not.toContain(tokens.accessToken);
      expect(log).not.toContain(tokens.refreshToken ?? "-");
      // Nor the worker's, which signed in with them.
      const workerLog = stack.worker.output();
      expect(workerLog).toContain(accountId);
      expect(workerLog).not.toContain(tokens.accessToken);
      expect(workerLog).not.toContain(tokens.refreshToken ?? "-");

      // The same callback again (a reload, or a stolen URL) does nothing.
      const replay = await followCallback(callback);
      expect(replay.searchParams.get("error")).toBe("invalid_state");
      expect(await listMailAccounts(db, owner.user.id)).toHaveLength(1);
    });

    it("puts the account on the user who started the flow, whoever else is signed up", async () => {
      const first = await signUp(stack, "oauth-first@example.test");
      const second = await signUp(stack, "oauth-second@example.test");
      oauth.signInAs(MAILBOX);
      const { landing } = await signInWithGoogle(second.accessToken);
      const accountId = landing.searchParams.get("connected") ?? "";
      const db = stack.testDb.handle.db;
      expect(await findMailAccount(db, first.user.id, accountId)).toBeUndefined();
      expect((await findMailAccount(db, second.user.id, accountId))?.email).toBe(MAILBOX);
      const firstList = await trpcCall(url, "query", "mailAccount.list", undefined, bearer(first.accessToken));
      expect(firstList.data).toEqual([]);
    });

    it("answers FORBIDDEN naming the provider when it has no client here, and INVALID_INPUT for an unknown one", async () => {
      const owner = await signUp(stack, "oauth-refused@example.test");
      const microsoft = await trpcCall(
        url,
        "mutation",
        "mailAccount.oauthStart",
        { provider: "microsoft" },
        bearer(owner.accessToken),
      );
      expect(microsoft.status).toBe(403);
      expect(microsoft.error?.data.appCode).toBe("FORBIDDEN");
      expect(microsoft.error?.message).toMatch(/Microsoft/);
      const unknown = await trpcCall(
        url,
        "mutation",
        "mailAccount.oauthStart",
        { provider: "aol" },
        bearer(owner.accessToken),
      );
      expect(unknown.status).toBe(400);
      expect(unknown.error?.data.appCode).toBe("INVALID_INPUT");
    });

    it("sends a callback without a state, or with a provider's refusal, back to the app with an error word", async () => {
      const missing = await followCallback(new URL("/oauth/mail/callback?code=abc", appUrl));
      expect(missing.searchParams.get("error")).toBe("invalid_state");
      const made = await followCallback(new URL("/oauth/mail/callback?error=access_denied&state=nope", appUrl));
      expect(made.searchParams.get("error")).toBe("invalid_state");
    });

    it("mailAccount.remove of an OAuth2 account withdraws the grant at the provider", async () => {
      const owner = await signUp(stack, "oauth-remove@example.test");
      oauth.signInAs("dave@tidings.test");
      const { landing } = await signInWithGoogle(owner.accessToken);
      const accountId = landing.searchParams.get("connected") ?? "";
      const removed = await trpcCall(url, "mutation", "mailAccount.remove", { accountId }, bearer(owner.accessToken));
      expect(removed.data).toEqual({ status: "ok" });
      await expect.poll(() => oauth.revocations(), { timeout: 10_000 }).toContain("dave@tidings.test");
      const listed = await trpcCall(url, "query", "mailAccount.list", undefined, bearer(owner.accessToken));
      expect(listed.data).toEqual([]);
    });
  },
);
