import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearMailResyncRequest, insertMailAccount, requestMailAccountResync, sql } from "../src/index.ts";

// A resync request is stamped with the database's now() (microseconds) and cleared by the worker
// with the time it read back as a JS Date (milliseconds): the two must still be the same request.
describe("clearing a served resync request", () => {
  let testDb: TestDatabase;
  let userId: string;
  let accountId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const { db } = testDb.handle;
    userId = (
      await db
        .insertInto("users")
        .values({ email: "ann@example.test", email_normalized: "ann@example.test" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    accountId = (
      await insertMailAccount(db, {
        userId,
        email: "ann@example.test",
        provider: "custom",
        imap: { host: "imap.example.test", port: 993, security: "tls", username: "ann" },
        smtp: { host: "smtp.example.test", port: 465, security: "tls", username: "ann" },
        credentialsSealed: "sealed",
        syncDays: 30,
      })
    ).id;
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const stamp = (at: string) =>
    testDb.handle.db
      .updateTable("mail_accounts")
      .set({ resync_requested_at: sql<Date>`${at}::timestamptz` })
      .where("id", "=", accountId)
      .returning("resync_requested_at")
      .executeTakeFirstOrThrow();
  const pending = async () =>
    (
      await testDb.handle.db
        .selectFrom("mail_accounts")
        .select("resync_requested_at")
        .where("id", "=", accountId)
        .executeTakeFirstOrThrow()
    ).resync_requested_at;

  it("clears a request whose time has microseconds, given the time as read", async () => {
    const { resync_requested_at: read } = await stamp("2026-12-04T12:00:00.123456Z");
    expect(read?.toISOString()).toBe("2026-12-04T12:00:00.123Z");
    await clearMailResyncRequest(testDb.handle.db, accountId, read as Date);
    expect(await pending()).toBeNull();
  });

  it("clears a request made through requestMailAccountResync with the time it answered", async () => {
    const requested = await requestMailAccountResync(testDb.handle.db, userId, accountId);
    await clearMailResyncRequest(testDb.handle.db, accountId, requested?.resync_requested_at as Date);
    expect(await pending()).toBeNull();
  });

  it("keeps a newer request, made while the pass ran", async () => {
    await stamp("2026-12-04T12:00:00.124001Z");
    await clearMailResyncRequest(testDb.handle.db, accountId, new Date("2026-12-04T12:00:00.123Z"));
    expect(await pending()).toEqual(new Date("2026-12-04T12:00:00.124Z"));
  });
});
