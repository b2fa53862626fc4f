import { hashPassword } from "@tidings/auth";
import { insertUserIfAbsent, markEmailVerified } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCallerFactory, createContext, type InnerContext, plainRequest } from "../src/index.ts";
import { testInnerContext } from "./context.ts";

const PASSWORD = "quiet lanterns drift over copper rivers";
let testDb: TestDatabase;
let inner: InnerContext;
beforeAll(async () => {
  testDb = await createTestDatabase();
  inner = await testInnerContext(testDb.handle.db);
});
afterAll(() => testDb?.drop());

const callerWith = (accessToken?: string) =>
  createCallerFactory(appRouter)(createContext(inner, plainRequest({ accessToken })));

async function verifiedUser(email: string, admin: boolean) {
  const user = await insertUserIfAbsent(testDb.handle.db, {
    email,
    emailNormalized: email.toLowerCase(),
    displayName: null,
    passwordHash: await hashPassword(PASSWORD),
  });
  if (!user) throw new Error("user exists already");
  return markEmailVerified(testDb.handle.db, user.id, admin);
}

async function signIn(email: string) {
  const result = await callerWith().auth.login({ email, password: PASSWORD, refreshTokenTransport: "body" });
  if ("mfaRequired" in result) throw new Error("no two-factor in these tests");
  return callerWith(result.accessToken);
}

describe("admin.events.list", () => {
  it("names the account and the admin who acted by email, beside the ids", async () => {
    const admin = await verifiedUser("boss@example.test", true);
    const member = await verifiedUser("member@example.test", false);
    const asAdmin = await signIn(admin.email);
    await asAdmin.admin.users.setDisabled({ userId: member.id, disabled: true });

    const { items } = await asAdmin.admin.events.list({ limit: 20 });
    const disabled = items.find((event) => event.type === "account_disabled");
    expect(disabled).toMatchObject({
      userId: member.id,
      user: { id: member.id, email: "member@example.test" },
      actor: { id: admin.id, email: "boss@example.test" },
    });
    // The admin's own sign-in was nobody else's doing: no actor.
    const signedIn = items.find((event) => event.type === "login_succeeded");
    expect(signedIn).toMatchObject({ userId: admin.id, user: { id: admin.id, email: admin.email }, actor: null });

    const filtered = await asAdmin.admin.events.list({ userId: member.id, type: "account_disabled", limit: 20 });
    expect(filtered.items.map((event) => event.user?.email)).toEqual(["member@example.test"]);
  });
});
