import { createKeyRing, createSession, generateSigningKey, serializeSigningKeys, signAccessToken } from "@tidings/auth";
import { createTidingsClient } from "@tidings/client";
import { type Database, type Kysely, migrations, revokeSession, sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { bearer, type StartedServer, serverDir, startServer, trpcCall, waitUntil } from "@tidings/test-stack";
import {
  createTestRedis,
  type OwnRedisServer,
  type RunningProcess,
  services,
  startOwnRedisServer,
  startProcess,
  type TestRedis,
} from "@tidings/testing";
import { Queue, QueueEvents } from "bullmq";
import { type Migration, Migrator } from "kysely/migration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const servicesUp = services().postgres && services().redis;

describe.skipIf(!servicesUp)("production mode on Postgres and Redis", () => {
  let testDb: TestDatabase;
  let redis: TestRedis;
  let server: StartedServer | undefined;
  let worker: RunningProcess | undefined;

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrate: false });
    redis = await createTestRedis();
  });
  afterAll(async () => {
    await server?.stop();
    await worker?.stop();
    await redis?.cleanup();
    await testDb?.drop();
  });

  it("applies migrations with pnpm db:migrate", async () => {
    const migrate = startProcess("pnpm", ["db:migrate"], { env: { DATABASE_URL: testDb.url } });
    expect(await migrate.exited).toBe(0);
    expect(migrate.output()).toMatch(/Applied 2026-11-24T0900-users, .* on PostgreSQL/);
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(testDb.handle.db);
    expect(rows.map((row) => row.name)).toContain("2026-11-24T0900-users");
    const again = startProcess("pnpm", ["db:migrate"], { env: { DATABASE_URL: testDb.url } });
    expect(await again.exited).toBe(0);
    expect(again.output()).toMatch(/No pending migrations/);
  });

  it("runs server and worker as separate processes; /readyz is 200; the worker consumes jobs", async () => {
    const env = { DATABASE_URL: testDb.url, REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix };
    server = await startServer(env);
    worker = startProcess("node", ["--import", "tsx", "../worker/src/main.ts"], { cwd: serverDir, env });
    await worker.waitFor(/"msg":"worker started"/);
    expect(worker.child.pid).not.toBe(server.process.child.pid);

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { database: "ok", redis: "ok" } });

    const ping = await createTidingsClient({ url: `${server.url}/trpc` }).health.ping.query();
    expect(ping.mode).toBe("production");

    // A job put on the shared queue is consumed by the worker process, not the server.
    const queue = new Queue("maintenance", { connection: redis.client.duplicate(), prefix: redis.prefix });
    const events = new QueueEvents("maintenance", { connection: redis.client.duplicate(), prefix: redis.prefix });
    try {
      await events.waitUntilReady();
      const job = await queue.add("ping", { sentAt: new Date().toISOString() });
      // Generous: this is a liveness check, and CI runs it beside browser and IMAP tests on two cores.
      // A failure shows the worker's own log, which says whether the job was ever taken.
      const result = await job.waitUntilFinished(events, 45_000).catch((error: Error) => {
        throw new Error(`${error.message}\nworker output:\n${worker?.output()}`);
      });
      expect(result).toMatchObject({ pong: true });
      await worker.waitFor(new RegExp(`"jobId":"${job.id}".*"msg":"job completed"`));
      expect(server.process.output()).not.toContain("job completed");
    } finally {
      await events.close();
      await queue.close();
    }

    expect(await worker.stop()).toBe(0);
    worker = undefined;
  });
});

describe.skipIf(!servicesUp)("readiness when Redis goes away", () => {
  let testDb: TestDatabase;
  let ownRedis: OwnRedisServer;
  let server: StartedServer;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ownRedis = await startOwnRedisServer();
    server = await startServer({ DATABASE_URL: testDb.url, REDIS_URL: ownRedis.url });
  });
  afterAll(async () => {
    await server?.stop();
    await ownRedis?.dispose();
    await testDb?.drop();
  });

  it("answers 503 on /readyz and still 200 on /healthz, and recovers when Redis returns", async () => {
    // Not ready until the Redis connection is up, then ready.
    await waitUntil(async () => (await fetch(`${server.url}/readyz`)).status === 200);

    await ownRedis.stop();
    await waitUntil(async () => (await fetch(`${server.url}/readyz`)).status === 503);
    const notReady = await fetch(`${server.url}/readyz`);
    expect(await notReady.json()).toEqual({
      status: "not ready",
      checks: { database: "ok", redis: "unavailable" },
    });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await ownRedis.start();
    await waitUntil(async () => (await fetch(`${server.url}/readyz`)).status === 200, 20_000);
  });
});

describe.skipIf(!servicesUp)("a server started before its database is ready", () => {
  let testDb: TestDatabase;
  let redis: TestRedis;
  let server: StartedServer | undefined;

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrate: false });
    redis = await createTestRedis();
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.cleanup();
    await testDb?.drop();
  });

  it("starts all the same, and announces the ended sessions once it can read them", async () => {
    // Keys from the environment and no migrations at start: nothing else needs the database to start.
    const key = await generateSigningKey();
    const appUrl = "https://mail.example.test";
    server = await startServer({
      DATABASE_URL: testDb.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      APP_URL: appUrl,
      JWT_PRIVATE_KEYS: serializeSigningKeys([key]),
    });
    await server.process.waitFor(
      /database not reachable: cannot check for sessions signed out just before this start; retrying/,
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // The tables arrive, with a session that ended while this server could not read it and that it
    // never heard of (as if Redis had lost the entry too). One migration run is one transaction, so
    // a retry sees no tables or the tables with that session, never the tables without it.
    let subject = { userId: "", sessionId: "" };
    const endedSession: Migration = {
      up: async (trx) => {
        const db = trx as unknown as Kysely<Database>;
        const user = await db
          .insertInto("users")
          .values({
            email: "early@example.test",
            email_normalized: "early@example.test",
            email_verified_at: new Date(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const { session } = await createSession(
          db,
          { userId: user.id, origin: { ip: "127.0.0.1", userAgent: "vitest" }, method: "password" },
          { refreshTokenTtlSeconds: 3600, reuseGraceSeconds: 10, encryptionKey: Buffer.alloc(32) },
        );
        await revokeSession(db, session.id, "logout");
        subject = { userId: user.id, sessionId: session.id };
      },
    };
    const migrator = new Migrator({
      db: testDb.handle.db,
      provider: { getMigrations: async () => ({ ...migrations, "9999-test-ended-session": endedSession }) },
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const { token } = await signAccessToken(await createKeyRing([key]), subject, {
      issuer: appUrl,
      audience: "tidings",
      ttlSeconds: 900,
    });

    let answer = await trpcCall(server.url, "query", "auth.me", undefined, bearer(token));
    await waitUntil(async () => {
      answer = await trpcCall(server?.url ?? "", "query", "auth.me", undefined, bearer(token));
      return answer.status !== 200;
    });
    expect(answer.status).toBe(401);
    expect(answer.error?.data.appCode).toBe("SESSION_REVOKED");
  });
});
