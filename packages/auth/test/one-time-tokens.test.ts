import { sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumeOneTimeToken, issueOneTimeToken, oneTimeTokenLifetimes } from "../src/one-time-tokens.ts";
import { hashToken } from "../src/opaque-token.ts";
import { insertUser } from "./helpers.ts";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.drop());

describe("one-time tokens", () => {
  it("have the lifetimes of the spec", () => {
    expect(oneTimeTokenLifetimes).toEqual({
      verify_email: 86_400,
      password_reset: 3_600,
      unlock_account: 86_400,
      invitation: 604_800,
    });
  });

  it("carry 256 bits, are stored hashed, and work exactly once even when used concurrently", async () => {
    const { db } = testDb.handle;
    const user = await insertUser(db);
    const token = await issueOneTimeToken(db, user.id, "verify_email");
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    const rows = await db.selectFrom("one_time_tokens").selectAll().where("user_id", "=", user.id).execute();
    expect(rows.map((row) => row.token_hash)).toEqual([hashToken(token)]);

    const results = await Promise.all(Array.from({ length: 10 }, () => consumeOneTimeToken(db, token, "verify_email")));
    expect(results.filter((result) => result.ok)).toEqual([{ ok: true, userId: user.id }]);
    expect(await consumeOneTimeToken(db, token, "verify_email")).toEqual({ ok: false, reason: "TOKEN_INVALID" });
  });

  it("refuse the wrong purpose and unknown tokens as invalid, and old ones as expired", async () => {
    const { db } = testDb.handle;
    const user = await insertUser(db);
    const token = await issueOneTimeToken(db, user.id, "password_reset");
    expect(await consumeOneTimeToken(db, token, "verify_email")).toEqual({ ok: false, reason: "TOKEN_INVALID" });
    expect(await consumeOneTimeToken(db, "nope", "password_reset")).toEqual({ ok: false, reason: "TOKEN_INVALID" });
    await db
      .updateTable("one_time_tokens")
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where("token_hash", "=", hashToken(token))
      .execute();
    expect(await consumeOneTimeToken(db, token, "password_reset")).toEqual({ ok: false, reason: "TOKEN_EXPIRED" });
  });

  it("make a new reset request invalidate older reset tokens", async () => {
    const { db } = testDb.handle;
    const user = await insertUser(db);
    const older = await issueOneTimeToken(db, user.id, "password_reset");
    const newer = await issueOneTimeToken(db, user.id, "password_reset");
    expect(await consumeOneTimeToken(db, older, "password_reset")).toEqual({ ok: false, reason: "TOKEN_INVALID" });
    expect(await consumeOneTimeToken(db, newer, "password_reset")).toMatchObject({ ok: true });
  });
});
