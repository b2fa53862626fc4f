import { resolve } from "node:path";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import {
  createTestRedis,
  type RunningProcess,
  type SmtpSink,
  services,
  startProcess,
  startSmtpSink,
  type TestRedis,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryStatuses, queueWelcomeEmails } from "./helpers.ts";

const workerDir = resolve(import.meta.dirname, "..");

// Production runs the bundle `pnpm build` writes (what the Docker image ships), not the TypeScript.
describe.skipIf(!services().postgres || !services().redis)("the built worker (dist/main.js)", () => {
  let testDb: TestDatabase;
  let redis: TestRedis;
  let smtp: SmtpSink;
  let worker: RunningProcess | undefined;

  beforeAll(async () => {
    [testDb, redis, smtp] = await Promise.all([createTestDatabase(), createTestRedis(), startSmtpSink()]);
  });
  afterAll(async () => {
    await worker?.stop("SIGKILL");
    await smtp?.close();
    await redis?.cleanup();
    await testDb?.drop();
  });

  it("builds, starts with plain node and delivers an email", async () => {
    const build = startProcess("pnpm", ["build"], { cwd: workerDir });
    expect(await build.exited, build.output()).toBe(0);

    worker = startProcess("node", ["--enable-source-maps", "dist/main.js"], {
      cwd: workerDir,
      env: {
        DATABASE_URL: testDb.url,
        REDIS_URL: redis.url,
        REDIS_PREFIX: redis.prefix,
        SMTP_URL: smtp.url,
        APP_URL: "https://mail.example.test",
        WORKER_METRICS_PORT: "0",
      },
    });
    await worker.waitFor(/"msg":"worker started"/);
    await queueWelcomeEmails(testDb.handle.db, 1, "built");
    await smtp.waitForAccepted(1);
    await expect.poll(() => deliveryStatuses(testDb.handle.db), { timeout: 10_000 }).toEqual({ sent: 1 });
    expect(await worker.stop("SIGTERM")).toBe(0);
    worker = undefined;
  });
});
