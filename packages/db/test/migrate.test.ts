import { sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, migrations } from "../src/index.ts";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase({ migrate: false });
});
afterAll(() => testDb?.drop());

describe("migrations", () => {
  it("apply every listed migration once, in order", async () => {
    const { db } = testDb.handle;
    expect(await migrateToLatest(db)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(db)).toEqual([]);
  });

  it("create the users table with a unique normalised email and sane defaults", async () => {
    const { db } = testDb.handle;
    const user = await db
      .insertInto("users")
      .values({ email: "Ada@Example.com", email_normalized: "ada@example.com", display_name: "Ada" })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      role: "user",
      failed_login_count: 0,
      email_verified_at: null,
      locked_at: null,
      disabled_at: null,
    });
    expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(user.created_at).toBeInstanceOf(Date);

    await expect(
      db.insertInto("users").values({ email: "ada@example.com", email_normalized: "ada@example.com" }).execute(),
    ).rejects.toThrow(/unique|duplicate/i);
  });

  it("refuse a role outside user and admin", async () => {
    const { db } = testDb.handle;
    await expect(
      sql`insert into users (email, email_normalized, role) values ('x@y.io', 'x@y.io', 'root')`.execute(db),
    ).rejects.toThrow(/check/i);
  });
});
