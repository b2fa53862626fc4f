import { request } from "node:http";
import { sql } from "@tidings/db";
import { type AuthResultBody, type AuthStack, PASSWORD, startAuthStack, tokenFromEmail } from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// S9 (each rule, with its numbers from configuration) and S10 (no more attempts than the limit
// under concurrency). Each test calls from its own loopback source address, as from its own machine,
// so that the per-IP rules of one test do not spend another's budget. `rate-limit.test.ts` shows the
// per-(IP, email) sign-in rule across two processes, per-email registration and TRUST_PROXY (S11).

const limits = {
  RATE_LIMIT_LOGIN: "5/900",
  RATE_LIMIT_LOGIN_IP: "50/900",
  RATE_LIMIT_EMAIL_ACTIONS: "3/3600",
  RATE_LIMIT_EMAIL_ACTIONS_IP: "20/3600",
  // Not the defaults (60/300 and 100/60): the server must take them from the environment.
  RATE_LIMIT_REFRESH: "4/300",
  RATE_LIMIT_DEFAULT: "6/60",
};

interface Answer<T = Record<string, unknown>> {
  status: number;
  retryAfter: string | undefined;
  data: T | undefined;
  error: { data: { appCode: string; retryAfterSeconds?: number } } | undefined;
}

/** A raw tRPC call sent from the loopback address `from`. */
function callFrom<T = Record<string, unknown>>(
  from: string,
  baseUrl: string,
  kind: "query" | "mutation",
  path: string,
  input?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const url = new URL(`/trpc/${path}`, baseUrl);
  if (kind === "query" && input !== undefined) url.searchParams.set("input", JSON.stringify({ json: input }));
  const body = kind === "mutation" ? JSON.stringify({ json: input ?? null }) : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: kind === "query" ? "GET" : "POST",
        localAddress: from,
        agent: false,
        headers: {
          ...headers,
          ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => {
          const parsed = JSON.parse(text) as { result?: { data: { json: T } }; error?: { json: Answer["error"] } };
          const retryAfter = res.headers["retry-after"];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            data: parsed.result?.data.json,
            error: parsed.error?.json,
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function expectLimited(answer: Answer) {
  expect(answer.status).toBe(429);
  expect(answer.error?.data.appCode).toBe("RATE_LIMITED");
  expect(answer.retryAfter).toBe(String(answer.error?.data.retryAfterSeconds));
}

const count = (answers: Answer[], predicate: (answer: Answer) => boolean) => answers.filter(predicate).length;
const invalid = (answer: Answer) => answer.error?.data.appCode === "INVALID_CREDENTIALS";
const limited = (answer: Answer) => answer.status === 429 && answer.error?.data.appCode === "RATE_LIMITED";

describe.skipIf(!services().postgres || !services().redis)("rate limits of S9 and S10 from configuration", () => {
  let stack: AuthStack;
  let url: string;

  beforeAll(async () => {
    stack = await startAuthStack({ env: limits });
    url = stack.servers[0]?.url ?? "";
  });
  afterAll(() => stack?.stop());

  /** Registers and verifies from `from`, signed in with the refresh token in the body. */
  async function signUpFrom(from: string, email: string): Promise<AuthResultBody> {
    const registered = await callFrom(from, url, "mutation", "auth.register", { email, password: PASSWORD });
    expect(registered.data).toEqual({ status: "verification_sent" });
    const token = await tokenFromEmail(stack.smtp, email, "verify-email");
    const verified = await callFrom<AuthResultBody>(from, url, "mutation", "auth.verifyEmail", {
      token,
      refreshTokenTransport: "body",
    });
    expect(verified.status).toBe(200);
    return verified.data as AuthResultBody;
  }

  it("S9, S10: sign-in allows 50 per 15 min per IP, whatever the emails, even when 60 arrive at once", async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        callFrom("127.0.1.1", url, "mutation", "auth.login", {
          email: `spray-${i}@example.test`,
          password: "a guess at some password",
        }),
      ),
    );
    expect(count(answers, invalid)).toBe(50);
    expect(count(answers, limited)).toBe(10);
    for (const answer of answers.filter(limited)) expectLimited(answer);
    // Another address has its own budget.
    const elsewhere = await callFrom("127.0.1.2", url, "mutation", "auth.login", {
      email: "spray-0@example.test",
      password: "a guess at some password",
    });
    expect(invalid(elsewhere)).toBe(true);
  });

  it("S10: 50 parallel wrong sign-ins for one account from one address: exactly 5 reach the password check", async () => {
    const email = "parallel-target@example.test";
    const account = await signUpFrom("127.0.1.10", email);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        callFrom("127.0.1.11", url, "mutation", "auth.login", { email, password: `wrong password number ${i}` }),
      ),
    );
    expect(count(answers, invalid)).toBe(5);
    expect(count(answers, limited)).toBe(45);
    const { rows } = await sql<{ count: number }>`
      select count(*)::int as count from audit_events where user_id = ${account.user.id} and type = 'login_failed'`.execute(
      stack.testDb.handle.db,
    );
    expect(rows[0]?.count).toBe(5);
    // The right password from the same address is refused by the limit too, but not from elsewhere.
    expectLimited(await callFrom("127.0.1.11", url, "mutation", "auth.login", { email, password: PASSWORD }));
    expect((await callFrom("127.0.1.12", url, "mutation", "auth.login", { email, password: PASSWORD })).status).toBe(
      200,
    );
  });

  it("S9: registration, resend and reset requests share 3 per hour per email, however it is spelled", async () => {
    const from = "127.0.2.1";
    const email = "busy-inbox@example.test";
    expect((await callFrom(from, url, "mutation", "auth.register", { email, password: PASSWORD })).status).toBe(200);
    expect((await callFrom(from, url, "mutation", "auth.resendVerification", { email })).status).toBe(200);
    expect((await callFrom(from, url, "mutation", "auth.requestPasswordReset", { email })).status).toBe(200);
    for (const [path, input] of [
      ["auth.requestPasswordReset", { email }],
      ["auth.resendVerification", { email: " Busy-Inbox@EXAMPLE.test" }],
      ["auth.register", { email: email.toUpperCase(), password: PASSWORD }],
    ] as const) {
      expectLimited(await callFrom("127.0.2.2", url, "mutation", path, input));
    }
    // Another email is not affected.
    expect(
      (await callFrom(from, url, "mutation", "auth.resendVerification", { email: "calm@example.test" })).data,
    ).toEqual({ status: "ok" });
  });

  it("S9: registration, resend and reset requests allow 20 per hour per IP", async () => {
    const from = "127.0.2.10";
    const paths = ["auth.resendVerification", "auth.requestPasswordReset"] as const;
    for (let i = 0; i < 20; i++) {
      const answer = await callFrom(from, url, "mutation", paths[i % 2] ?? paths[0], {
        email: `ip-budget-${i}@example.test`,
      });
      expect(answer.data, `call ${i + 1}`).toEqual({ status: "ok" });
    }
    expectLimited(
      await callFrom(from, url, "mutation", "auth.resendVerification", { email: "ip-budget-x@example.test" }),
    );
    expectLimited(
      await callFrom(from, url, "mutation", "auth.register", { email: "ip-budget-y@example.test", password: PASSWORD }),
    );
    expect(
      (await callFrom("127.0.2.11", url, "mutation", "auth.resendVerification", { email: "ip-budget-x@example.test" }))
        .status,
    ).toBe(200);
  });

  it("S9: token refresh allows RATE_LIMIT_REFRESH (4 per 5 min) per session, from any address", async () => {
    const email = "refresher@example.test";
    const first = await signUpFrom("127.0.3.1", email);
    let token = first.refreshToken ?? "";
    for (let i = 0; i < 4; i++) {
      const rotated = await callFrom<AuthResultBody>(`127.0.3.${10 + i}`, url, "mutation", "auth.refresh", {
        refreshToken: token,
      });
      expect(rotated.status, `refresh ${i + 1}`).toBe(200);
      token = rotated.data?.refreshToken ?? "";
    }
    expectLimited(await callFrom("127.0.3.20", url, "mutation", "auth.refresh", { refreshToken: token }));

    // Another session of the same user has its own budget.
    const second = await callFrom<AuthResultBody>("127.0.3.2", url, "mutation", "auth.login", {
      email,
      password: PASSWORD,
      refreshTokenTransport: "body",
    });
    const other = await callFrom("127.0.3.20", url, "mutation", "auth.refresh", {
      refreshToken: second.data?.refreshToken,
    });
    expect(other.status).toBe(200);
  });

  it("S9: every other procedure allows RATE_LIMIT_DEFAULT (6 per minute) per user, and per IP when signed out", async () => {
    const alice = await signUpFrom("127.0.4.1", "default-alice@example.test");
    const bob = await signUpFrom("127.0.4.2", "default-bob@example.test");
    const me = (from: string, token: string) =>
      callFrom(from, url, "query", "auth.me", undefined, { authorization: `Bearer ${token}` });
    for (let i = 0; i < 6; i++) expect((await me(`127.0.4.${10 + i}`, alice.accessToken)).status).toBe(200);
    // Per user: a seventh call is refused from any address, with any of the user's procedures.
    expectLimited(await me("127.0.4.30", alice.accessToken));
    expectLimited(
      await callFrom("127.0.4.31", url, "query", "session.list", undefined, {
        authorization: `Bearer ${alice.accessToken}`,
      }),
    );
    expect((await me("127.0.4.10", bob.accessToken)).status).toBe(200);

    // Signed out: per address.
    for (let i = 0; i < 6; i++) expect((await callFrom("127.0.4.40", url, "query", "health.ping")).status).toBe(200);
    expectLimited(await callFrom("127.0.4.40", url, "query", "health.ping"));
    expect((await callFrom("127.0.4.41", url, "query", "health.ping")).status).toBe(200);
  });
});
