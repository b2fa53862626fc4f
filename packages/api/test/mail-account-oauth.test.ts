import { randomBytes } from "node:crypto";
import { createSession, signAccessToken } from "@tidings/auth";
import { insertUserIfAbsent, markEmailVerified, upsertOAuthMailAccount } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { sealMailOAuthTokens } from "@tidings/mail";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, appCodeForTrpcCode } from "../src/errors.ts";
import { appRouter, createCallerFactory, createContext, type InnerContext, plainRequest } from "../src/index.ts";
import { testInnerContext } from "./context.ts";

// mailAccount.oauthStart called in-process on a real database. The whole flow (the authorization
// server, the callback route, IMAP and SMTP with XOAUTH2) is tested in packages/mail and apps/server.

const createCaller = createCallerFactory(appRouter);
let testDb: TestDatabase;
let inner: InnerContext;

beforeAll(async () => {
  testDb = await createTestDatabase();
  // Only Google is configured; its endpoints point at a server that is never contacted here.
  inner = await testInnerContext(testDb.handle.db, {
    APP_URL: "https://tidings.example.test",
    MAIL_OAUTH_GOOGLE_CLIENT_ID: "google-client",
    MAIL_OAUTH_GOOGLE_ENDPOINTS: JSON.stringify({
      authorize: "https://auth.example.test/authorize",
      token: "https://auth.example.test/token",
    }),
  });
});
afterAll(() => testDb?.drop());

async function caller(verified: boolean) {
  const email = `o${randomBytes(5).toString("hex")}@example.test`;
  const { db } = testDb.handle;
  const user = await insertUserIfAbsent(db, { email, emailNormalized: email, displayName: null, passwordHash: "x" });
  if (!user) throw new Error("user exists");
  if (verified) await markEmailVerified(db, user.id, false);
  const { session } = await createSession(
    db,
    { userId: user.id, origin: { ip: "127.0.0.1", userAgent: "t" }, method: "password" },
    inner.auth.sessions,
  );
  const access = await signAccessToken(
    inner.auth.keyRing,
    { userId: user.id, sessionId: session.id },
    inner.auth.tokens,
  );
  return { userId: user.id, call: createCaller(createContext(inner, plainRequest({ accessToken: access.token }))) };
}

async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return {
    appCode: error instanceof AppError ? error.appCode : appCodeForTrpcCode(error.code),
    message: error.message,
    extra: error instanceof AppError ? error.extra : {},
  };
}

describe("mailAccount.oauthStart", () => {
  it("answers the provider's authorization URL with PKCE, the callback under APP_URL and a state stored for the caller", async () => {
    const { userId, call } = await caller(true);
    const { authorizeUrl } = await call.mailAccount.oauthStart({ provider: "google" });
    const url = new URL(authorizeUrl);
    expect(url.origin + url.pathname).toBe("https://auth.example.test/authorize");
    expect(url.searchParams.get("redirect_uri")).toBe("https://tidings.example.test/oauth/mail/callback");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("client_id")).toBe("google-client");
    const states = await testDb.handle.db
      .selectFrom("mail_oauth_states")
      .select(["provider", "expires_at"])
      .where("user_id", "=", userId)
      .execute();
    expect(states).toHaveLength(1);
    const minutesLeft = ((states[0]?.expires_at.getTime() ?? 0) - Date.now()) / 60_000;
    expect(minutesLeft).toBeGreaterThan(9);
    expect(minutesLeft).toBeLessThanOrEqual(10);
  });

  it("refuses a provider without a client on this server with FORBIDDEN naming it and the app-password way", async () => {
    const { call } = await caller(true);
    const refused = await failure(call.mailAccount.oauthStart({ provider: "microsoft" }));
    expect(refused.appCode).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/Microsoft.*app password/);
    expect(refused.extra).toMatchObject({ provider: "microsoft" });
  });

  it("refuses an unknown provider as INVALID_INPUT naming the field", async () => {
    const { call } = await caller(true);
    const refused = await failure(call.mailAccount.oauthStart({ provider: "yahoo" } as never));
    expect(refused.appCode).toBe("INVALID_INPUT");
    expect(refused.message).toContain("provider");
  });

  it("requires a signed-in user with a verified email", async () => {
    const { call } = await caller(false);
    expect((await failure(call.mailAccount.oauthStart({ provider: "google" }))).appCode).toBe("FORBIDDEN");
    const anonymous = createCaller(createContext(inner, plainRequest()));
    expect((await failure(anonymous.mailAccount.oauthStart({ provider: "google" }))).appCode).toBe("TOKEN_INVALID");
  });
});

describe("an OAuth2 account in the other mailAccount procedures", () => {
  async function oauthAccount(userId: string) {
    const email = `m${randomBytes(4).toString("hex")}@gmail.com`;
    const tokens = {
      provider: "google" as const,
      accessToken: "access-secret",
      refreshToken: "refresh-secret",
      expiresAt: Date.now() + 3_600_000,
    };
    return upsertOAuthMailAccount(testDb.handle.db, {
      userId,
      email,
      provider: "gmail",
      oauthProvider: "google",
      imap: { host: "imap.gmail.com", port: 993, security: "tls", username: email },
      smtp: { host: "smtp.gmail.com", port: 465, security: "tls", username: email },
      credentialsSealed: sealMailOAuthTokens(inner.auth.sessions.encryptionKey, { userId, email }, tokens),
    });
  }

  it("is listed like any account, with no token in the answer", async () => {
    const { userId, call } = await caller(true);
    const account = await oauthAccount(userId);
    const listed = await call.mailAccount.list();
    expect(listed).toEqual([
      expect.objectContaining({ id: account.id, email: account.email, provider: "gmail", status: "connecting" }),
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/secret/);
  });

  it("refuses new servers or a password as INVALID_INPUT naming the side (reconnect instead), but takes other changes", async () => {
    const { userId, call } = await caller(true);
    const account = await oauthAccount(userId);
    const refused = await failure(
      call.mailAccount.update({
        accountId: account.id,
        imap: { host: "imap.example.test", port: 993, security: "tls", username: account.email, password: "pw" },
      }),
    );
    expect(refused.appCode).toBe("INVALID_INPUT");
    expect(refused.message).toMatch(/reconnect/);
    expect(refused.extra).toMatchObject({ issues: [{ path: ["imap"] }] });
    const renamed = await call.mailAccount.update({ accountId: account.id, displayName: "Work Gmail" });
    expect(renamed.displayName).toBe("Work Gmail");
  });
});
