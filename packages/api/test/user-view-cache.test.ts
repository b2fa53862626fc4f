import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedUserView, forgetUserView, USER_VIEW_TTL_MS } from "../src/user-view-cache.ts";

let testDb: TestDatabase;
let userId: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
  const row = await testDb.handle.db
    .insertInto("users")
    .values({
      email: "ada@example.test",
      email_normalized: "ada@example.test",
      password_hash: "x",
      display_name: "Ada",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  userId = row.id;
});
afterAll(() => testDb?.drop());

const rename = (name: string) =>
  testDb.handle.db.updateTable("users").set({ display_name: name }).where("id", "=", userId).execute();

describe("the user view behind auth.me", () => {
  it("is reused within the TTL, read again after it, and at once after forgetUserView", async () => {
    const db = testDb.handle.db;
    const start = 1_000_000;
    expect((await cachedUserView(db, userId, start))?.displayName).toBe("Ada");

    await rename("Grace");
    // Another process's edit: within the TTL this process still shows the view it read.
    expect((await cachedUserView(db, userId, start + USER_VIEW_TTL_MS - 1))?.displayName).toBe("Ada");
    expect((await cachedUserView(db, userId, start + USER_VIEW_TTL_MS))?.displayName).toBe("Grace");

    await rename("Hedy");
    forgetUserView(db, userId);
    expect((await cachedUserView(db, userId, start + USER_VIEW_TTL_MS))?.displayName).toBe("Hedy");
  });

  it("answers undefined for a user that does not exist", async () => {
    expect(await cachedUserView(testDb.handle.db, "00000000-0000-4000-8000-000000000000")).toBeUndefined();
  });
});
