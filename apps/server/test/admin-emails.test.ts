import { randomBytes } from "node:crypto";
import { findUserById, insertUserIfAbsent, listAuditEvents, markEmailVerified } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { startServer } from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe.skipIf(!services().postgres)("ADMIN_EMAILS at start", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb?.drop());

  it("makes an account verified before the setting named it an admin, and records the change", async () => {
    const { db } = testDb.handle;
    const email = "early-boss@example.test";
    const user = await insertUserIfAbsent(db, { email, emailNormalized: email, displayName: null, passwordHash: "x" });
    if (!user) throw new Error("user exists");
    await markEmailVerified(db, user.id, false);

    const server = await startServer({
      DATABASE_URL: testDb.url,
      ADMIN_EMAILS: ` Early-Boss@Example.test `,
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    });
    try {
      expect((await findUserById(db, user.id))?.role).toBe("admin");
      const events = await listAuditEvents(db, { userId: user.id, type: "role_changed", limit: 10 });
      expect(events.items.map((event) => event.metadata)).toEqual([{ role: "admin", by: "ADMIN_EMAILS" }]);
      expect(server.process.output()).toContain("ADMIN_EMAILS: existing accounts made admins");
    } finally {
      await server.stop();
    }
  });
});
