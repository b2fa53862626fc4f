import { findUserById, listAuditEvents, markEmailVerified } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAdminEmails } from "../src/flows/admin-emails.ts";
import { insertUser } from "./helpers.ts";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.drop());

const roleEvents = async (userId: string) =>
  (await listAuditEvents(testDb.handle.db, { userId, type: "role_changed", limit: 10 })).items;

describe("ADMIN_EMAILS applied to existing accounts", () => {
  it("promotes the verified accounts it names, once, with a role_changed event; no one else", async () => {
    const { db } = testDb.handle;
    const verified = await insertUser(db, "boss@example.test");
    await markEmailVerified(db, verified.id, false);
    const unverified = await insertUser(db, "unconfirmed-boss@example.test");
    const bystander = await insertUser(db, "bystander@example.test");
    await markEmailVerified(db, bystander.id, false);
    const deps = { db, adminEmails: ["boss@example.test", "unconfirmed-boss@example.test"] };

    // Two servers starting together.
    const [first, second] = await Promise.all([applyAdminEmails(deps), applyAdminEmails(deps)]);
    expect([...(first ?? []), ...(second ?? [])]).toEqual([{ id: verified.id, email: "boss@example.test" }]);
    expect((await findUserById(db, verified.id))?.role).toBe("admin");
    expect((await findUserById(db, unverified.id))?.role).toBe("user");
    expect((await findUserById(db, bystander.id))?.role).toBe("user");
    const events = await roleEvents(verified.id);
    expect(events.map((event) => [event.type, event.metadata, event.ip])).toEqual([
      ["role_changed", { role: "admin", by: "ADMIN_EMAILS" }, "startup"],
    ]);

    // The next start finds nothing to do.
    expect(await applyAdminEmails(deps)).toEqual([]);
    expect(await roleEvents(verified.id)).toHaveLength(1);
    expect(await roleEvents(unverified.id)).toEqual([]);
  });

  it("does nothing when the setting is empty", async () => {
    const { db } = testDb.handle;
    const user = await insertUser(db);
    await markEmailVerified(db, user.id, false);
    expect(await applyAdminEmails({ db, adminEmails: [] })).toEqual([]);
    expect((await findUserById(db, user.id))?.role).toBe("user");
  });
});
