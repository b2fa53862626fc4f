import { randomBytes } from "node:crypto";
import { revokeSession, sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { createTestRedis, type TestRedis } from "@tidings/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AuthFailure, announceEndedSessions, authenticate, restoreEndedSessions } from "../src/flows/index.ts";
import { CLOCK_TOLERANCE_SECONDS, createKeyRing, generateSigningKey, signAccessToken } from "../src/jwt/index.ts";
import { createMemoryRevocationStore, createRedisRevocationStore } from "../src/revocation.ts";
import { createSession, type SessionSettings } from "../src/sessions.ts";
import { insertUser, origin } from "./helpers.ts";

const tokens = { issuer: "https://auth.tidings.test", audience: "tidings-api", ttlSeconds: 60 };
const settings: SessionSettings = {
  refreshTokenTtlSeconds: 3600,
  reuseGraceSeconds: 10,
  encryptionKey: randomBytes(32),
};

afterEach(() => {
  vi.useRealTimers();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("announceEndedSessions", () => {
  it("keeps a session refused for as long as its last token is accepted, clock tolerance included", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = new Date("2030-01-01T00:00:00Z");
    vi.setSystemTime(start);
    const deps = { keyRing: await createKeyRing([await generateSigningKey()]), tokens };
    const revocation = createMemoryRevocationStore();
    const principal = { userId: "user-1", sessionId: "session-1" };
    const { token, expiresAt } = await signAccessToken(deps.keyRing, principal, tokens, start);
    await announceEndedSessions({ revocation, tokens }, [principal.sessionId]);

    // Past `exp` but within the tolerance, verification still accepts the token: the entry must still be there.
    vi.setSystemTime(expiresAt.getTime() + (CLOCK_TOLERANCE_SECONDS - 1) * 1000);
    const failure = await rejection(authenticate({ ...deps, revocation }, token));
    expect(failure).toBeInstanceOf(AuthFailure);
    expect((failure as AuthFailure).code).toBe("SESSION_REVOKED");
  });
});

describe("restoreEndedSessions", () => {
  let testDb: TestDatabase;
  let redis: TestRedis;
  beforeAll(async () => {
    [testDb, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
  });
  afterAll(async () => {
    await redis?.cleanup();
    await testDb?.drop();
  });

  async function endedSession(secondsAgo: number | undefined) {
    const { db } = testDb.handle;
    const user = await insertUser(db);
    const { session } = await createSession(db, { userId: user.id, origin, method: "password" }, settings);
    if (secondsAgo === undefined) return session.id;
    await revokeSession(db, session.id, "logout");
    await db
      .updateTable("sessions")
      .set({ revoked_at: sql`now() - make_interval(secs => ${secondsAgo})` })
      .where("id", "=", session.id)
      .execute();
    return session.id;
  }

  it("announces again, to an empty Redis, the sessions whose tokens may still be accepted, and no others", async () => {
    const live = await endedSession(undefined);
    const justEnded = await endedSession(1);
    const endedWithinTolerance = await endedSession(tokens.ttlSeconds + CLOCK_TOLERANCE_SECONDS - 2);
    const endedLongAgo = await endedSession(tokens.ttlSeconds + CLOCK_TOLERANCE_SECONDS + 2);

    const revocation = createRedisRevocationStore(redis.client, redis.prefix);
    const restored = await restoreEndedSessions({ db: testDb.handle.db, revocation, tokens });
    await restored.announced;
    expect(restored.sessions).toBe(2);

    // A process that never heard of these sessions (nothing in memory) asks Redis.
    const elsewhere = createRedisRevocationStore(redis.client, redis.prefix);
    expect(await elsewhere.isRevoked(justEnded)).toBe(true);
    expect(await elsewhere.isRevoked(endedWithinTolerance)).toBe(true);
    expect(await elsewhere.isRevoked(endedLongAgo)).toBe(false);
    expect(await elsewhere.isRevoked(live)).toBe(false);
  });

  it("refills an embedded process's memory, which a restart empties", async () => {
    const ended = await endedSession(3);
    const revocation = createMemoryRevocationStore();
    expect(await revocation.isRevoked(ended)).toBe(false);
    await (await restoreEndedSessions({ db: testDb.handle.db, revocation, tokens })).announced;
    expect(await revocation.isRevoked(ended)).toBe(true);
  });
});
