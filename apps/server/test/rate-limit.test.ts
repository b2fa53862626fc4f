import { type AuthStack, startAuthStack, trpcCall } from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const specLimits = {
  RATE_LIMIT_LOGIN: "5/900",
  RATE_LIMIT_LOGIN_IP: "50/900",
  RATE_LIMIT_EMAIL_ACTIONS: "3/3600",
  RATE_LIMIT_EMAIL_ACTIONS_IP: "20/3600",
};

const wrongLogin = (url: string, email: string, headers: Record<string, string> = {}) =>
  trpcCall(url, "mutation", "auth.login", { email, password: "not the password" }, headers);

function expectLimited(answer: Awaited<ReturnType<typeof wrongLogin>>) {
  expect(answer.status).toBe(429);
  expect(answer.error?.data.appCode).toBe("RATE_LIMITED");
  const seconds = answer.error?.data.retryAfterSeconds;
  expect(typeof seconds === "number" && seconds >= 1 && seconds <= 3600).toBe(true);
  expect(answer.headers.get("retry-after")).toBe(String(seconds));
}

describe.skipIf(!services().postgres || !services().redis)("rate limits without a trusted proxy", () => {
  let stack: AuthStack;
  let a: string;
  let b: string;

  beforeAll(async () => {
    stack = await startAuthStack({ serverCount: 2, env: specLimits });
    [a, b] = stack.servers.map((server) => server.url) as [string, string];
  });
  afterAll(() => stack?.stop());

  it("are shared by two server processes: the 6th sign-in for one (IP, email) is refused", async () => {
    const email = "limited@example.test";
    for (let i = 0; i < 5; i++) {
      const answer = await wrongLogin(i % 2 ? a : b, email);
      expect(answer.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    }
    expectLimited(await wrongLogin(a, email));
    expectLimited(await wrongLogin(b, email));
    // Another email from the same address has its own budget.
    expect((await wrongLogin(a, "other@example.test")).error?.data.appCode).toBe("INVALID_CREDENTIALS");
  });

  it("ignore a forged X-Forwarded-For", async () => {
    const email = "forged@example.test";
    for (let i = 0; i < 5; i++) {
      const answer = await wrongLogin(a, email, { "x-forwarded-for": `198.51.100.${i + 1}` });
      expect(answer.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    }
    expectLimited(await wrongLogin(b, email, { "x-forwarded-for": "198.51.100.99" }));
  });

  it("count /oauth/token password grants against the same sign-in budget as auth.login", async () => {
    const email = "oauth-limited@example.test";
    const passwordGrant = (url: string) =>
      fetch(new URL("/oauth/token", url), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "password", username: email, password: "not the password" }),
      });
    for (let i = 0; i < 3; i++) {
      expect((await wrongLogin(b, email)).error?.data.appCode).toBe("INVALID_CREDENTIALS");
    }
    for (let i = 0; i < 2; i++) {
      const answer = await passwordGrant(i % 2 ? a : b);
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ error: "invalid_grant" });
    }
    const refused = await passwordGrant(a);
    expect(refused.status).toBe(429);
    const seconds = Number(refused.headers.get("retry-after"));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toEqual({
      error: "invalid_request",
      error_description: `Too many attempts. Try again in ${seconds} s.`,
    });
    expectLimited(await wrongLogin(b, email));
  });

  it("allow 3 registrations per email per hour", async () => {
    const input = { email: "again@example.test", password: "a long enough passphrase here 12" };
    for (let i = 0; i < 3; i++) expect((await trpcCall(a, "mutation", "auth.register", input)).status).toBe(200);
    expectLimited(await trpcCall(b, "mutation", "auth.register", input));
  });
});

describe.skipIf(!services().postgres || !services().redis)("rate limits behind a trusted proxy", () => {
  let stack: AuthStack;
  let url: string;

  beforeAll(async () => {
    stack = await startAuthStack({ env: { ...specLimits, TRUST_PROXY: "127.0.0.1,::1,::ffff:127.0.0.1" } });
    url = stack.servers[0]?.url ?? "";
  });
  afterAll(() => stack?.stop());

  it("key on the client address the proxy reports", async () => {
    const email = "proxied@example.test";
    for (let i = 0; i < 8; i++) {
      const answer = await wrongLogin(url, email, { "x-forwarded-for": `203.0.113.${i + 1}` });
      expect(answer.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    }
    for (let i = 0; i < 5; i++) await wrongLogin(url, email, { "x-forwarded-for": "203.0.113.200" });
    expectLimited(await wrongLogin(url, email, { "x-forwarded-for": "203.0.113.200" }));
  });
});
