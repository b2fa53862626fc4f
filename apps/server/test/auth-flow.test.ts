import { randomBytes } from "node:crypto";
import {
  createTestDatabase,
  createTestRedis,
  type RunningProcess,
  type SmtpSink,
  services,
  startProcess,
  startSmtpSink,
  type TestDatabase,
  type TestRedis,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_URL, type AuthResultBody, PASSWORD } from "./auth-stack.ts";
import { type StartedServer, serverDir, startServer } from "./helpers.ts";
import { bearer, trpcCall } from "./trpc-http.ts";

const password = PASSWORD;

describe.skipIf(!services().postgres || !services().redis)(
  "sign-up, verification, sign-in and refresh over HTTP",
  () => {
    let testDb: TestDatabase;
    let redis: TestRedis;
    let smtp: SmtpSink;
    let server: StartedServer;
    let worker: RunningProcess;
    let url: string;

    beforeAll(async () => {
      [testDb, redis, smtp] = await Promise.all([createTestDatabase(), createTestRedis(), startSmtpSink()]);
      const env = {
        DATABASE_URL: testDb.url,
        REDIS_URL: redis.url,
        REDIS_PREFIX: redis.prefix,
        SMTP_URL: smtp.url,
        APP_URL,
        ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        REFRESH_REUSE_GRACE_SECONDS: "2",
      };
      server = await startServer(env);
      url = server.url;
      worker = startProcess("node", ["--import", "tsx", "../worker/src/main.ts"], { cwd: serverDir, env });
      await worker.waitFor(/"msg":"worker started"/);
    });
    afterAll(async () => {
      await server?.stop();
      await worker?.stop();
      await smtp?.close();
      await redis?.cleanup();
      await testDb?.drop();
    });

    async function registerAndVerify(email: string) {
      const registered = await trpcCall(url, "mutation", "auth.register", { email, password, displayName: "Ada" });
      expect(registered).toMatchObject({ status: 200, data: { status: "verification_sent" } });
      const before = smtp.accepted.length;
      await expect
        .poll(() => smtp.accepted.slice(before).find((mail) => mail.to === email), { timeout: 20_000 })
        .toBeTruthy();
      const mail = smtp.accepted.find((message) => message.to === email && /verify-email/.test(message.text));
      const token = decodeURIComponent(mail?.text.match(/verify-email\?token=([A-Za-z0-9_%-]+)/)?.[1] ?? "");
      expect(token).not.toBe("");
      return token;
    }

    it("registers, emails a verification link, refuses sign-in until verified, and verifying signs in", async () => {
      const email = "ada@example.test";
      const token = await registerAndVerify(email);

      const early = await trpcCall(url, "mutation", "auth.login", { email, password });
      expect(early.status).toBe(403);
      expect(early.error?.data.appCode).toBe("EMAIL_NOT_VERIFIED");

      const verified = await trpcCall<AuthResultBody>(url, "mutation", "auth.verifyEmail", {
        token,
        refreshTokenTransport: "body",
      });
      expect(verified.status).toBe(200);
      expect(verified.data?.user).toMatchObject({ email, emailVerified: true });
      expect(verified.data?.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const me = await trpcCall(url, "query", "auth.me", undefined, bearer(verified.data?.accessToken ?? ""));
      expect(me).toMatchObject({ status: 200, data: { email, emailVerified: true, role: "user" } });

      const again = await trpcCall(url, "mutation", "auth.verifyEmail", { token, refreshTokenTransport: "body" });
      expect(again.status).toBe(401);
      expect(again.error?.data.appCode).toBe("TOKEN_INVALID");

      const signedIn = await trpcCall<AuthResultBody>(url, "mutation", "auth.login", {
        email: " ADA@Example.test ",
        password,
        refreshTokenTransport: "body",
      });
      expect(signedIn.status).toBe(200);
      expect(signedIn.data?.user.id).toBe(verified.data?.user.id);
    });

    it("rotates refresh tokens, honours the grace window, and revokes the session on reuse", async () => {
      const email = "grace@example.test";
      const token = await registerAndVerify(email);
      const start = await trpcCall<AuthResultBody>(url, "mutation", "auth.verifyEmail", {
        token,
        refreshTokenTransport: "body",
      });
      const original = start.data?.refreshToken ?? "";

      // Two tabs refresh at once with the same token: one successor, one session.
      const [a, b] = await Promise.all([
        trpcCall<AuthResultBody>(url, "mutation", "auth.refresh", { refreshToken: original }),
        trpcCall<AuthResultBody>(url, "mutation", "auth.refresh", { refreshToken: original }),
      ]);
      expect(a.error).toBeUndefined();
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(a.data?.refreshToken).toBe(b.data?.refreshToken);
      expect(a.data?.session.id).toBe(start.data?.session.id);
      const successor = a.data?.refreshToken ?? "";

      const next = await trpcCall<AuthResultBody>(url, "mutation", "auth.refresh", { refreshToken: successor });
      expect(next.error).toBeUndefined();
      expect(next.status).toBe(200);

      // After the grace window the old token is a stolen copy: the whole session dies.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const reused = await trpcCall(url, "mutation", "auth.refresh", { refreshToken: original });
      expect(reused.status).toBe(401);
      expect(reused.error?.data.appCode).toBe("REFRESH_TOKEN_REUSED");

      const newest = await trpcCall(url, "mutation", "auth.refresh", { refreshToken: next.data?.refreshToken });
      expect(newest.error?.data.appCode).toBe("TOKEN_INVALID");
      const me = await trpcCall(url, "query", "auth.me", undefined, bearer(next.data?.accessToken ?? ""));
      expect(me.status).toBe(401);
      expect(me.error?.data.appCode).toBe("SESSION_REVOKED");

      await expect
        .poll(
          () => smtp.accepted.some((mail) => mail.to === email && /sessions/.test(mail.text) && mail !== undefined),
          {
            timeout: 20_000,
          },
        )
        .toBe(true);
    });

    it("keeps the refresh token in an HttpOnly Secure SameSite=Strict cookie and wants the CSRF header", async () => {
      const email = "cookie@example.test";
      const token = await registerAndVerify(email);
      const verified = await trpcCall<AuthResultBody>(url, "mutation", "auth.verifyEmail", { token });
      expect(verified.data?.refreshToken).toBeUndefined();
      const setCookie = verified.headers.get("set-cookie") ?? "";
      expect(setCookie).toMatch(/^__Host-tidings_rt=[A-Za-z0-9_-]{43};/);
      for (const attribute of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"])
        expect(setCookie).toContain(attribute);
      const cookie = setCookie.split(";")[0] ?? "";

      const withoutProof = await trpcCall(url, "mutation", "auth.refresh", {}, { cookie });
      expect(withoutProof.status).toBe(403);
      const withProof = await trpcCall<AuthResultBody>(
        url,
        "mutation",
        "auth.refresh",
        {},
        { cookie, "x-tidings-csrf": "1" },
      );
      expect(withProof.status).toBe(200);
      expect(withProof.data?.refreshToken).toBeUndefined();
      expect(withProof.headers.get("set-cookie")).toMatch(/^__Host-tidings_rt=/);
    });

    it("publishes the public signing keys", async () => {
      const response = await fetch(`${url}/.well-known/jwks.json`);
      const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
      expect(jwks.keys.length).toBeGreaterThan(0);
      expect(jwks.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
      expect(jwks.keys[0]).not.toHaveProperty("d");
    });
  },
);
