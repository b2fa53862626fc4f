import { randomBytes } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import {
  createTestRedis,
  type RunningProcess,
  type SmtpSink,
  startProcess,
  startSmtpSink,
  type TestRedis,
} from "@tidings/testing";
import { expect } from "vitest";
import { type StartedServer, serverDir, startServer } from "./server-process.ts";
import { trpcCall } from "./trpc-http.ts";

export const APP_URL = "https://mail.example.test";
export const PASSWORD = "correct horse battery staple 42";

export const generousRateLimits = {
  RATE_LIMIT_LOGIN: "10000/60",
  RATE_LIMIT_LOGIN_IP: "10000/60",
  RATE_LIMIT_EMAIL_ACTIONS: "10000/60",
  RATE_LIMIT_EMAIL_ACTIONS_IP: "10000/60",
  RATE_LIMIT_REFRESH: "10000/60",
  RATE_LIMIT_DEFAULT: "100000/60",
};

export interface AuthResultBody {
  accessToken: string;
  refreshToken?: string;
  user: { id: string; email: string; emailVerified: boolean; role: string };
  session: { id: string };
}

export interface AuthStack {
  servers: StartedServer[];
  worker: RunningProcess;
  /** The worker's own /metrics address (a free port of its choosing unless WORKER_METRICS_PORT is given). */
  workerMetricsUrl: string;
  smtp: SmtpSink;
  testDb: TestDatabase;
  redis: TestRedis;
  /** The settings every process of the stack got: another server started with them joins the stack. */
  env: Record<string, string | undefined>;
  stop(): Promise<void>;
}

/**
 * Production mode on real services: `serverCount` server processes and one worker sharing a
 * fresh database, a Redis prefix and an SMTP sink.
 */
export async function startAuthStack(
  options: { serverCount?: number; env?: Record<string, string> } = {},
): Promise<AuthStack> {
  const [testDb, redis, smtp]: [TestDatabase, TestRedis, SmtpSink] = await Promise.all([
    createTestDatabase(),
    createTestRedis(),
    startSmtpSink(),
  ]);
  const env = {
    DATABASE_URL: testDb.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    SMTP_URL: smtp.url,
    APP_URL,
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    // Tests sign in many times from one address; the rate-limit tests set their own limits.
    ...generousRateLimits,
    // Workers of test files running side by side must not contend for the default port.
    WORKER_METRICS_PORT: "0",
    ...options.env,
  };
  const servers = await Promise.all(Array.from({ length: options.serverCount ?? 1 }, () => startServer(env)));
  const worker: RunningProcess = startProcess("node", ["--import", "tsx", "../worker/src/main.ts"], {
    cwd: serverDir,
    env,
  });
  await worker.waitFor(/"msg":"worker started"/);
  const startedLine =
    worker
      .output()
      .split("\n")
      .find((line) => line.includes('"msg":"worker started"')) ?? "";
  const workerMetricsUrl = startedLine.match(/"metrics":"([^"]+)"/)?.[1] ?? "";
  return {
    servers,
    worker,
    workerMetricsUrl,
    smtp,
    testDb,
    redis,
    env,
    stop: async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await worker.stop();
      await smtp.close();
      await redis.cleanup();
      await testDb.drop();
    },
  };
}

/** Waits for the newest email to `to` whose text has a link to `path`, and returns the link's token. */
export async function tokenFromEmail(smtp: SmtpSink, to: string, path: string): Promise<string> {
  const pattern = new RegExp(`${path}\\?token=([A-Za-z0-9_%-]+)`);
  let token = "";
  await expect
    .poll(
      () => {
        const mail = smtp.accepted.filter((message) => message.to === to && pattern.test(message.text)).at(-1);
        token = decodeURIComponent(mail?.text.match(pattern)?.[1] ?? "");
        return token;
      },
      { timeout: 20_000 },
    )
    .not.toBe("");
  return token;
}

/** Registers and verifies an account; resolves with the signed-in result (refresh token in the body). */
export async function signUp(
  stack: Pick<AuthStack, "servers" | "smtp">,
  email: string,
  displayName = "Ada",
): Promise<AuthResultBody> {
  const url = stack.servers[0]?.url ?? "";
  const registered = await trpcCall(url, "mutation", "auth.register", { email, password: PASSWORD, displayName });
  expect(registered.data).toEqual({ status: "verification_sent" });
  const token = await tokenFromEmail(stack.smtp, email, "verify-email");
  const verified = await trpcCall<AuthResultBody>(url, "mutation", "auth.verifyEmail", {
    token,
    refreshTokenTransport: "body",
  });
  expect(verified.status).toBe(200);
  return verified.data as AuthResultBody;
}

/** Signs in again: another session of the same account. */
export async function signIn(url: string, email: string, password = PASSWORD): Promise<AuthResultBody> {
  const answer = await trpcCall<AuthResultBody>(url, "mutation", "auth.login", {
    email,
    password,
    refreshTokenTransport: "body",
  });
  expect(answer.error).toBeUndefined();
  return answer.data as AuthResultBody;
}
