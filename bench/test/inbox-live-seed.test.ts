// The inbox-live bench times the first render of a mailbox it seeds in Postgres: the seed must keep
// giving a list the inbox shows newest first, in an account no worker ever claims (it has no server).
import { acquireMailLeases, listMailThreads } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { seedThreads } from "../fixtures/seed-threads.ts";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

it("seeds one-message threads in a paused account's inbox, listed newest first", async () => {
  const db = testDb.handle.db;
  const email = "seed@example.test";
  const { id: userId } = await db
    .insertInto("users")
    .values({ email, email_normalized: email })
    .returning("id")
    .executeTakeFirstOrThrow();
  const accountId = await seedThreads(db, userId, 1_200);

  const first = await listMailThreads(db, { userId, role: "inbox", limit: 50 });
  expect(first.items).toHaveLength(50);
  expect(first.items[0]?.subject).toBe("Thread 1199 about the quarterly plan");
  expect(first.nextCursor).not.toBeNull();
  const threads = await db
    .selectFrom("mail_threads")
    .select(({ fn }) => fn.countAll<string>().as("count"))
    .where("account_id", "=", accountId)
    .executeTakeFirstOrThrow();
  expect(Number(threads.count)).toBe(1_200);
  // A worker asking for accounts to sync gets none of it.
  expect(await acquireMailLeases(db, { owner: "bench-test", seconds: 30, limit: 10 })).toEqual([]);
});
