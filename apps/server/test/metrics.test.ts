import type { StartedServer } from "@tidings/test-stack";
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

const EMAIL = "metered@example.test";
const WRONG = "certainly not the password 13";

/** The samples of a Prometheus text exposition, keyed by `name{label="value",...}` as printed. */
function parseMetrics(text: string): { value(name: string, labels?: Record<string, string>): number; text: string } {
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    const match = line.match(/^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] ?? ""] = pair[2] ?? "";
    samples.push({ name: match[1] ?? "", labels, value: Number(match[3]) });
  }
  return {
    text,
    /** The sample with exactly these labels (besides `service`); 0 when absent. */
    value(name, labels = {}) {
      const wanted = Object.entries(labels);
      const sample = samples.find(
        (s) =>
          s.name === name &&
          Object.keys(s.labels).filter((key) => key !== "service").length === wanted.length &&
          wanted.every(([key, value]) => s.labels[key] === value),
      );
      return sample?.value ?? 0;
    },
  };
}

describe.skipIf(!services().postgres || !services().redis)("Prometheus metrics of the server and the worker", () => {
  let stack: AuthStack;
  let server: StartedServer;
  let url: string;
  let workerMetricsUrl: string;

  beforeAll(async () => {
    stack = await startAuthStack({
      env: {
        // Small numbers so one session reaches each event: a reuse, a lockout, a rate-limit refusal.
        REFRESH_REUSE_GRACE_SECONDS: "0",
        LOCKOUT_THRESHOLD: "3",
        RATE_LIMIT_EMAIL_ACTIONS: "2/3600",
        // Two refreshes per session (the scripted refresh and its reuse) or per address for unknown tokens.
        RATE_LIMIT_REFRESH: "2/300",
      },
    });
    server = stack.servers[0] as StartedServer;
    url = server.url;
    workerMetricsUrl = stack.workerMetricsUrl;
  });
  afterAll(() => stack?.stop());

  const scrape = async (target: string) => {
    const response = await fetch(target);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    return parseMetrics(await response.text());
  };

  it("counts a scripted session exactly, by procedure, outcome and route", async () => {
    const before = await scrape(new URL("/metrics", url).href);
    const workerBefore = await scrape(workerMetricsUrl);

    // Sign up and verify through the emailed link.
    expect((await trpcCall(url, "mutation", "auth.register", { email: EMAIL, password: PASSWORD })).data).toEqual({
      status: "verification_sent",
    });
    const token = await tokenFromEmail(stack.smtp, EMAIL, "verify-email");
    const verified = await trpcCall<AuthResultBody>(url, "mutation", "auth.verifyEmail", {
      token,
      refreshTokenTransport: "body",
    });
    const first = verified.data as AuthResultBody;
    // A good and a bad sign-in.
    const login = await trpcCall<AuthResultBody>(url, "mutation", "auth.login", {
      email: EMAIL,
      password: PASSWORD,
      refreshTokenTransport: "body",
    });
    const second = login.data as AuthResultBody;
    const bad = await trpcCall(url, "mutation", "auth.login", { email: EMAIL, password: WRONG });
    expect(bad.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    // A refresh, then the rotated token again (no grace): reuse, the session is revoked.
    const refreshed = await trpcCall(url, "mutation", "auth.refresh", { refreshToken: second.refreshToken });
    expect(refreshed.error).toBeUndefined();
    const reused = await trpcCall(url, "mutation", "auth.refresh", { refreshToken: second.refreshToken });
    expect(reused.error?.data.appCode).toBe("REFRESH_TOKEN_REUSED");
    // Queries over GET: alone, and twice in one batch.
    expect((await trpcCall(url, "query", "auth.me", undefined, bearer(first.accessToken))).data).toMatchObject({
      email: EMAIL,
    });
    const batch = await fetch(new URL("/trpc/auth.me,auth.me?batch=1", url), { headers: bearer(first.accessToken) });
    expect(batch.status).toBe(200);
    await batch.arrayBuffer();
    expect((await trpcCall(url, "mutation", "auth.logout", undefined, bearer(first.accessToken))).data).toEqual({
      status: "ok",
    });
    // A rate-limit refusal: the third resend for one email within the hour.
    for (const attempt of [1, 2, 3]) {
      const answer = await trpcCall(url, "mutation", "auth.resendVerification", { email: "nobody@example.test" });
      expect(answer.error?.data.appCode, `resend ${attempt}`).toBe(attempt === 3 ? "RATE_LIMITED" : undefined);
    }
    // A refusal at the other door: the third refresh_token grant from this address with an unknown token.
    for (const attempt of [1, 2, 3]) {
      const answer = await fetch(new URL("/oauth/token", url), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: `unknown-${attempt}` }),
      });
      expect(answer.status, `grant ${attempt}`).toBe(attempt === 3 ? 429 : 400);
      await answer.arrayBuffer();
    }
    // Procedures and routes that do not exist.
    for (const path of ["nope.nothing", "nope.nothing?batch=1", "auth.me.extra"]) {
      await (await fetch(new URL(`/trpc/${path}`, url))).arrayBuffer();
    }
    await (await fetch(new URL("/no/such/route-4711.json", url))).arrayBuffer();
    // Two more wrong passwords reach the lockout threshold (3); then the right one meets a locked account.
    for (const _ of [1, 2]) await trpcCall(url, "mutation", "auth.login", { email: EMAIL, password: WRONG });
    const locked = await trpcCall(url, "mutation", "auth.login", { email: EMAIL, password: PASSWORD });
    expect(locked.error?.data.appCode).toBe("INVALID_CREDENTIALS");

    const after = await scrape(new URL("/metrics", url).href);
    const moved = (name: string, labels?: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);

    expect(moved("tidings_auth_registrations_total")).toBe(1);
    expect(moved("tidings_auth_sign_ins_total", { outcome: "success" })).toBe(1);
    expect(moved("tidings_auth_sign_ins_total", { outcome: "invalid_credentials" })).toBe(3);
    expect(moved("tidings_auth_sign_ins_total", { outcome: "locked" })).toBe(1);
    expect(moved("tidings_auth_sign_ins_total", { outcome: "email_not_verified" })).toBe(0);
    expect(moved("tidings_auth_lockouts_total")).toBe(1);
    expect(moved("tidings_auth_token_refreshes_total", { outcome: "success" })).toBe(1);
    expect(moved("tidings_auth_token_refreshes_total", { outcome: "reused" })).toBe(1);
    expect(moved("tidings_auth_refresh_reuse_detected_total")).toBe(1);
    expect(moved("tidings_auth_logouts_total")).toBe(1);
    expect(moved("tidings_rate_limit_rejections_total", { rule: "emailActions" })).toBe(1);
    expect(moved("tidings_rate_limit_rejections_total", { rule: "refresh" })).toBe(1);

    expect(moved("tidings_trpc_requests_total", { procedure: "auth.register", status: "ok" })).toBe(1);
    expect(moved("tidings_trpc_requests_total", { procedure: "auth.login", status: "ok" })).toBe(1);
    expect(moved("tidings_trpc_requests_total", { procedure: "auth.login", status: "INVALID_CREDENTIALS" })).toBe(4);
    expect(moved("tidings_trpc_requests_total", { procedure: "auth.refresh", status: "REFRESH_TOKEN_REUSED" })).toBe(1);
    expect(moved("tidings_trpc_requests_total", { procedure: "auth.me", status: "ok" })).toBe(3);
    expect(moved("tidings_trpc_requests_total", { procedure: "auth.resendVerification", status: "RATE_LIMITED" })).toBe(
      1,
    );
    expect(moved("tidings_trpc_request_duration_seconds_count", { procedure: "auth.me", status: "ok" })).toBe(3);
    // Unknown procedures get no series, under their own name or any other.
    expect(after.text).not.toMatch(/nope|nothing|auth\.me\.extra/);
    expect(moved("tidings_trpc_requests_total", { procedure: "unknown", status: "NOT_FOUND" })).toBe(0);

    const post = { method: "POST", route: "/trpc/:path" };
    expect(moved("tidings_http_requests_total", { ...post, status_code: "200" })).toBe(7);
    expect(moved("tidings_http_requests_total", { method: "GET", route: "unmatched", status_code: "404" })).toBe(1);
    expect(after.text).not.toContain("/no/such/route-4711.json");
    expect(after.text).not.toContain(EMAIL);
    expect(
      moved("tidings_http_request_duration_seconds_count", { method: "GET", route: "/trpc/:path", status_code: "200" }),
    ).toBe(2);

    // Scrape-time gauges and Node process metrics.
    expect(after.value("tidings_active_sessions")).toBe(0);
    expect(after.value("tidings_dependency_up", { dependency: "postgres" })).toBe(1);
    expect(after.value("tidings_dependency_up", { dependency: "redis" })).toBe(1);
    expect(after.text).toMatch(/^tidings_outbox_backlog\{service="server"\} \d+$/m);
    expect(after.text).toMatch(/^process_cpu_user_seconds_total\{service="server"\} /m);
    expect(after.text).toMatch(/^nodejs_eventloop_lag_seconds\{service="server"\} /m);

    // The worker sent the verification email (among others) and reports its queues.
    let workerAfter = workerBefore;
    await expect
      .poll(
        async () => {
          workerAfter = await scrape(workerMetricsUrl);
          return workerAfter.value("tidings_emails_sent_total", { template: "account-locked" });
        },
        { timeout: 20_000 },
      )
      .toBe(workerBefore.value("tidings_emails_sent_total", { template: "account-locked" }) + 1);
    const sent = (template: string) =>
      workerAfter.value("tidings_emails_sent_total", { template }) -
      workerBefore.value("tidings_emails_sent_total", { template });
    expect(sent("verify-email")).toBe(1);
    expect(workerAfter.value("tidings_emails_failed_total", { template: "verify-email" })).toBe(0);
    for (const state of ["waiting", "active", "delayed", "failed", "completed"]) {
      expect(workerAfter.text).toMatch(
        new RegExp(`^tidings_queue_jobs\\{queue="email",state="${state}",service="worker"\\} \\d+$`, "m"),
      );
    }
    expect(workerAfter.value("tidings_job_duration_seconds_count", { queue: "email", outcome: "completed" })).toBe(
      workerAfter.text
        .match(/tidings_emails_sent_total\{template="[^"]+",service="worker"\} (\d+)/g)
        ?.reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0),
    );
    expect(workerAfter.value("tidings_dependency_up", { dependency: "redis" })).toBe(1);
    expect(workerAfter.text).toMatch(/^process_resident_memory_bytes\{service="worker"\} /m);
    expect(workerAfter.text).not.toContain(EMAIL);
  });

  it("names the user, session and procedure in the access-log line", async () => {
    // A call without a token: procedure and outcome, no user.
    const requestId = "metrics-log-line";
    const me = await fetch(new URL("/trpc/auth.me", url), { headers: { "x-request-id": requestId } });
    expect(me.status).toBe(401);
    // The access log is written after the answer has gone out: wait for the line itself.
    const completedLine = () =>
      server.process
        .output()
        .split("\n")
        .find((l) => l.includes(`"reqId":"${requestId}"`) && l.includes('"msg":"request completed"'));
    await expect.poll(completedLine, { timeout: 10_000 }).toBeDefined();
    const line = completedLine();
    const entry = JSON.parse(line ?? "{}");
    expect(entry).toMatchObject({ procedure: "auth.me", outcome: "TOKEN_INVALID" });
    expect(entry.procedureMs).toMatch(/^\d+\.\d$/);
    expect(entry.userId).toBeUndefined();

    // A signed-in call of the first test: its line carries the user and session ids.
    const output = server.process.output();
    const signedInLine = output
      .split("\n")
      .find((l) => l.includes('"procedure":"auth.logout"') && l.includes('"msg":"request completed"'));
    expect(JSON.parse(signedInLine ?? "{}")).toMatchObject({
      userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      outcome: "ok",
    });
  });
});
