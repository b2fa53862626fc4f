import { randomBytes } from "node:crypto";
import { revokeSession, sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../src/opaque-token.ts";
import { createSession, rotateRefreshToken, type SessionSettings } from "../src/sessions.ts";
import { insertUser, origin } from "./helpers.ts";

let testDb: TestDatabase;
const settings: SessionSettings = {
  refreshTokenTtlSeconds: 30 * 24 * 3600,
  reuseGraceSeconds: 10,
  encryptionKey: randomBytes(32),
};

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.drop());

async function newSession() {
  const { db } = testDb.handle;
  const user = await insertUser(db);
  const { session, refreshToken } = await createSession(db, { userId: user.id, origin, method: "password" }, settings);
  return { user, session, refreshToken };
}

/** Makes a rotated token look as if it had been rotated `seconds` ago. */
async function ageRotation(rawToken: string, seconds: number) {
  await testDb.handle.db
    .updateTable("refresh_tokens")
    .set({ rotated_at: sql`now() - make_interval(secs => ${seconds})` })
    .where("token_hash", "=", hashToken(rawToken))
    .execute();
}

describe("refresh token rotation", () => {
  it("stores only a hash and rotates to a new working token", async () => {
    const { db } = testDb.handle;
    const { session, refreshToken } = await newSession();
    expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await db.selectFrom("refresh_tokens").selectAll().where("session_id", "=", session.id).execute();
    expect(stored.map((row) => row.token_hash)).toEqual([hashToken(refreshToken)]);

    const first = await rotateRefreshToken(db, refreshToken, settings);
    expect(first.kind).toBe("rotated");
    if (first.kind !== "rotated") return;
    expect(first.refreshToken).not.toBe(refreshToken);
    expect(first.session.id).toBe(session.id);
    const second = await rotateRefreshToken(db, first.refreshToken, settings);
    expect(second.kind).toBe("rotated");
  });

  it("gives the same successor to the old token within the grace window", async () => {
    const { db } = testDb.handle;
    const { refreshToken } = await newSession();
    const first = await rotateRefreshToken(db, refreshToken, settings);
    const again = await rotateRefreshToken(db, refreshToken, settings);
    expect(again).toMatchObject({ kind: "rotated" });
    expect(first.kind === "rotated" && again.kind === "rotated" && again.refreshToken === first.refreshToken).toBe(
      true,
    );
  });

  it("revokes the whole session when a rotated token comes back after the grace window", async () => {
    const { db } = testDb.handle;
    const { refreshToken, session } = await newSession();
    const first = await rotateRefreshToken(db, refreshToken, settings);
    await ageRotation(refreshToken, 11);

    const reused = await rotateRefreshToken(db, refreshToken, settings);
    expect(reused.kind).toBe("reused");
    const row = await db.selectFrom("sessions").selectAll().where("id", "=", session.id).executeTakeFirstOrThrow();
    expect(row.revoked_reason).toBe("refresh_reused");
    // Every token of that session is dead now, the newest included.
    if (first.kind === "rotated")
      expect(await rotateRefreshToken(db, first.refreshToken, settings)).toEqual({ kind: "invalid" });
    expect(await rotateRefreshToken(db, refreshToken, settings)).toEqual({ kind: "invalid" });
  });

  it("lets simultaneous refreshes with one token produce one successor and one session", async () => {
    const { db } = testDb.handle;
    const { refreshToken, session } = await newSession();
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => rotateRefreshToken(db, refreshToken, settings)));
    const tokens = new Set(
      outcomes.map((outcome) => (outcome.kind === "rotated" ? outcome.refreshToken : outcome.kind)),
    );
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).not.toBe("invalid");
    const rows = await db.selectFrom("refresh_tokens").select("id").where("session_id", "=", session.id).execute();
    expect(rows).toHaveLength(2);
    const sessions = await db.selectFrom("sessions").select("id").where("user_id", "=", session.user_id).execute();
    expect(sessions).toHaveLength(1);
  });

  it("refuses unknown tokens and tokens of ended sessions", async () => {
    const { db } = testDb.handle;
    expect(await rotateRefreshToken(db, "not-a-token", settings)).toEqual({ kind: "invalid" });
    const { refreshToken, session } = await newSession();
    await revokeSession(db, session.id, "logout");
    expect(await rotateRefreshToken(db, refreshToken, settings)).toEqual({ kind: "invalid" });
  });
});

describe("sessions", () => {
  it("opens a session in one statement: the user's sign-in stamp, the session, its token and the audit event", async () => {
    const { db } = testDb.handle;
    const user = await insertUser(db);
    await db.updateTable("users").set({ failed_login_count: 3 }).where("id", "=", user.id).execute();
    const opened = await createSession(
      db,
      {
        userId: user.id,
        origin: { ip: "10.0.0.3", userAgent: "Lynx" },
        method: "password",
        newPasswordHash: "rehashed",
      },
      settings,
    );

    expect(opened.user).toMatchObject({ id: user.id, failed_login_count: 0, password_hash: "rehashed" });
    expect(opened.user.last_login_at).toBeInstanceOf(Date);
    const stored = await db.selectFrom("sessions").selectAll().where("id", "=", opened.session.id).executeTakeFirst();
    expect(stored).toEqual(opened.session);
    const tokens = await db
      .selectFrom("refresh_tokens")
      .selectAll()
      .where("session_id", "=", opened.session.id)
      .execute();
    expect(tokens.map((token) => [token.token_hash, token.expires_at])).toEqual([
      [hashToken(opened.refreshToken), opened.session.expires_at],
    ]);
    const events = await db.selectFrom("audit_events").selectAll().where("user_id", "=", user.id).execute();
    expect(events).toMatchObject([
      {
        type: "login_succeeded",
        ip: "10.0.0.3",
        user_agent: "Lynx",
        metadata: { sessionId: opened.session.id, method: "password" },
      },
    ]);
  });

  it("writes nothing when any part of the sign-in fails", async () => {
    const { db } = testDb.handle;
    const user = await insertUser(db);
    // Postgres text cannot hold NUL: the session and audit inserts fail, after the user's update.
    const origin = { ip: "10.0.0.4", userAgent: "bad\u0000agent" };
    await expect(createSession(db, { userId: user.id, origin, method: "password" }, settings)).rejects.toThrow();
    const after = await db.selectFrom("users").selectAll().where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(after.last_login_at).toBeNull();
    expect(await db.selectFrom("sessions").selectAll().where("user_id", "=", user.id).execute()).toEqual([]);
    expect(await db.selectFrom("audit_events").selectAll().where("user_id", "=", user.id).execute()).toEqual([]);
  });
});
