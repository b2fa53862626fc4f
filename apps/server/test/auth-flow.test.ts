import {
  type AuthResultBody,
  type AuthStack,
  bearer,
  PASSWORD,
  startAuthStack,
  tokenFromEmail,
  trpcCall,
} from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const password = PASSWORD;

describe.skipIf(!services().postgres || !services().redis)(
  "sign-up, verification, sign-in and refresh over HTTP",
  () => {
    let stack: AuthStack;
    let url: string;

    beforeAll(async () => {
      stack = await startAuthStack({ env: { REFRESH_REUSE_GRACE_SECONDS: "2" } });
      url = stack.servers[0]?.url ?? "";
    });
    afterAll(() => stack?.stop());

    async function registerAndVerify(email: string) {
      const registered = await trpcCall(url, "mutation", "auth.register", { email, password, displayName: "Ada" });
      expect(registered).toMatchObject({ status: 200, data: { status: "verification_sent" } });
      return tokenFromEmail(stack.smtp, email, "verify-email");
    }

    it("emails the owner about a sign-in from a browser the account has not used before, and only then", async () => {
      const email = "traveller@example.test";
      const token = await registerAndVerify(email);
      const asBrowser = (userAgent: string) => ({ "user-agent": userAgent });
      const verified = await fetch(new URL("/trpc/auth.verifyEmail", url), {
        method: "POST",
        headers: { "content-type": "application/json", ...asBrowser("Firefox at home") },
        body: JSON.stringify({ json: { token, refreshTokenTransport: "body" } }),
      });
      expect(verified.status).toBe(200);
      const login = (userAgent: string) =>
        trpcCall(
          url,
          "mutation",
          "auth.login",
          { email, password, refreshTokenTransport: "body" },
          asBrowser(userAgent),
        );
      const notices = () => stack.smtp.accepted.filter((mail) => mail.to === email && /New sign-in/.test(mail.subject));

      expect((await login("Firefox at home")).status).toBe(200);
      expect((await login("Chromium on a new laptop")).status).toBe(200);
      await expect.poll(() => notices().length, { timeout: 20_000 }).toBe(1);
      expect(notices()[0]?.text).toContain("Chromium on a new laptop");
      // The same browser again is no longer new; a welcome email aside, nothing else was sent.
      expect((await login("Chromium on a new laptop")).status).toBe(200);
      expect((await login("Firefox at home")).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(notices()).toHaveLength(1);
    });

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
          () =>
            stack.smtp.accepted.some((mail) => mail.to === email && /sessions/.test(mail.text) && mail !== undefined),
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
