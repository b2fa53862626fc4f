import { insertMailUpload } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHousekeeping } from "../src/index.ts";

describe("the housekeeping loop", () => {
  let testDb: TestDatabase;
  let userId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    userId = (
      await testDb.handle.db
        .insertInto("users")
        .values({ email: "ann@example.test", email_normalized: "ann@example.test" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it("prunes on its first pass and again on each interval, and stops cleanly", async () => {
    const { db } = testDb.handle;
    const staleUpload = async () => {
      const { id } = await insertMailUpload(db, {
        userId,
        filename: "a.txt",
        contentType: "text/plain",
        content: Buffer.from("a"),
      });
      await db
        .updateTable("mail_uploads")
        .set({ created_at: new Date(Date.now() - 48 * 3600_000) })
        .where("id", "=", id)
        .execute();
    };
    const passes: number[] = [];
    await staleUpload();
    const housekeeping = startHousekeeping({
      db,
      firstDelayMs: 10,
      intervalMs: 50,
      onPruned: (counts) => passes.push(counts.uploads),
    });
    try {
      await expect.poll(() => passes, { timeout: 10_000 }).toEqual([1]);
      await staleUpload();
      await expect.poll(() => passes, { timeout: 10_000 }).toEqual([1, 1]);
    } finally {
      await housekeeping.stop();
    }
    await staleUpload();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(passes).toEqual([1, 1]);
    const left = await db.selectFrom("mail_uploads").select("id").execute();
    expect(left).toHaveLength(1);
  });

  it("reports a failed pass to onError instead of throwing", async () => {
    const errors: unknown[] = [];
    // A database without the tables: every statement fails, as it would with the schema missing.
    const broken = await createTestDatabase({ migrate: false });
    const housekeeping = startHousekeeping({
      db: broken.handle.db,
      firstDelayMs: 60_000,
      onError: (error) => errors.push(error),
    });
    try {
      expect(await housekeeping.runOnce()).toBeUndefined();
      expect(errors).toHaveLength(1);
    } finally {
      await housekeeping.stop();
      await broken.drop();
    }
  });
});
