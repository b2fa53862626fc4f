import { findUserByEmail, listAuditEvents, sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AcceptedSignUp,
  AuthFailure,
  acceptInvitation,
  acceptSignUp,
  createInvitation,
  listInvitations,
  register,
  revokeInvitation,
} from "../src/flows/index.ts";
import { flowDeps, PASSWORD, verifiedAccount } from "./flow-deps.ts";
import { origin } from "./helpers.ts";

// Invitations and invite-only registration (API.md, "Account protection") on a real database.

let testDb: TestDatabase;
let deps: Awaited<ReturnType<typeof flowDeps>>;
let admin: Awaited<ReturnType<typeof verifiedAccount>>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  deps = await flowDeps(testDb.handle.db, { registrationMode: "invite" });
  admin = await verifiedAccount(testDb.handle.db, "boss@example.test");
});
afterAll(() => testDb?.drop());

async function failureOf(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AuthFailure)) throw new Error(`expected an AuthFailure, got ${String(error)}`);
  return error.code;
}

/** Invites an address and returns the raw token from the `invitation` email. */
async function invite(email: string, role: "user" | "admin" = "user") {
  deps.sent.length = 0;
  const created = await createInvitation(deps, admin, { email, role }, origin);
  const mail = deps.sent.find((sent) => sent.template === "invitation" && sent.to === email);
  return { ...created, token: String(mail?.data.token) };
}

describe("invitations", () => {
  it("email a 7-day, single-use link whose token is stored only as a hash, and record invitation_sent", async () => {
    const before = Date.now();
    const { id, expiresAt, token } = await invite("new.member@example.test");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    expect(expiresAt.getTime() - before).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
    expect(expiresAt.getTime() - before).toBeLessThan(7 * 24 * 3600_000 + 60_000);
    expect(deps.sent[0]?.data.inviterName).toBe("Ada");
    const stored = JSON.stringify(
      (await sql`select * from invitations where id = ${id}`.execute(testDb.handle.db)).rows,
    );
    expect(stored).not.toContain(token);
    const events = await listAuditEvents(testDb.handle.db, { userId: admin.id, type: "invitation_sent", limit: 10 });
    expect(events.items[0]?.metadata).toMatchObject({ invitationId: id, email: "new.member@example.test" });
  });

  it("create a verified account with the invited role once, and sign it in", async () => {
    const { token } = await invite("helper@example.test", "admin");
    const result = await acceptInvitation(deps, { token, password: PASSWORD, displayName: " Helper " }, origin);
    expect(result.user).toMatchObject({ email: "helper@example.test", emailVerified: true, role: "admin" });
    expect(result.user.displayName).toBe("Helper");
    expect(result.accessToken).toBeTruthy();
    expect(await failureOf(acceptInvitation(deps, { token, password: PASSWORD }, origin))).toBe("TOKEN_INVALID");
    const events = await listAuditEvents(testDb.handle.db, { userId: result.user.id, limit: 10 });
    expect(events.items.map((event) => event.type)).toEqual(
      expect.arrayContaining(["invitation_accepted", "login_succeeded"]),
    );
    const listed = await listInvitations(deps, { limit: 100 });
    expect(listed.items.find((item) => item.email === "helper@example.test")).toMatchObject({
      status: "accepted",
      role: "admin",
      invitedBy: { id: admin.id, email: admin.email },
    });
  });

  it("refuse a revoked link with TOKEN_INVALID and an expired one with TOKEN_EXPIRED, creating nothing", async () => {
    const revoked = await invite("revoked@example.test");
    expect(await revokeInvitation(deps, revoked.id)).toEqual({ status: "ok" });
    expect(await revokeInvitation(deps, revoked.id)).toEqual({ status: "ok" });
    expect(await failureOf(acceptInvitation(deps, { token: revoked.token, password: PASSWORD }, origin))).toBe(
      "TOKEN_INVALID",
    );

    const expired = await invite("expired@example.test");
    await sql`update invitations set expires_at = now() - interval '1 second' where id = ${expired.id}`.execute(
      testDb.handle.db,
    );
    expect(await failureOf(acceptInvitation(deps, { token: expired.token, password: PASSWORD }, origin))).toBe(
      "TOKEN_EXPIRED",
    );
    expect(await failureOf(acceptInvitation(deps, { token: "x".repeat(43), password: PASSWORD }, origin))).toBe(
      "TOKEN_INVALID",
    );
    expect(await findUserByEmail(testDb.handle.db, "revoked@example.test")).toBeUndefined();
    expect(await findUserByEmail(testDb.handle.db, "expired@example.test")).toBeUndefined();
    const statuses = (await listInvitations(deps, { limit: 100 })).items.map((item) => [item.email, item.status]);
    expect(statuses).toEqual(
      expect.arrayContaining([
        ["revoked@example.test", "revoked"],
        ["expired@example.test", "expired"],
      ]),
    );
    expect(await failureOf(revokeInvitation(deps, "00000000-0000-4000-8000-000000000000"))).toBe("NOT_FOUND");
  });

  it("a newer invitation to the same address retires the older link", async () => {
    const first = await invite("twice@example.test");
    const second = await invite("twice@example.test");
    expect(await failureOf(acceptInvitation(deps, { token: first.token, password: PASSWORD }, origin))).toBe(
      "TOKEN_INVALID",
    );
    expect((await acceptInvitation(deps, { token: second.token, password: PASSWORD }, origin)).user.email).toBe(
      "twice@example.test",
    );
  });

  it("are refused for an address that has an account, naming the field", async () => {
    const error = await createInvitation(deps, admin, { email: admin.email, role: "user" }, origin).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AuthFailure);
    expect((error as AuthFailure).code).toBe("INVALID_INPUT");
    expect((error as AuthFailure).extra.issues).toEqual([{ path: ["email"], message: expect.any(String) }]);
  });

  it("check the password policy before creating anything", async () => {
    const { token } = await invite("weak@example.test");
    expect(await failureOf(acceptInvitation(deps, { token, password: "password" }, origin))).toBe("WEAK_PASSWORD");
    expect(await findUserByEmail(testDb.handle.db, "weak@example.test")).toBeUndefined();
    expect((await acceptInvitation(deps, { token, password: PASSWORD }, origin)).user.email).toBe("weak@example.test");
  });

  it("pages newest first", async () => {
    for (const n of [1, 2, 3]) await invite(`page${n}@example.test`);
    const first = await listInvitations(deps, { limit: 2 });
    expect(first.items.map((item) => item.email)).toEqual(["page3@example.test", "page2@example.test"]);
    const second = await listInvitations(deps, { limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items[0]?.email).toBe("page1@example.test");
  });
});

describe("registration in invite-only mode", () => {
  it("answers as in open mode and creates and sends nothing", async () => {
    const signUp: AcceptedSignUp = await acceptSignUp(deps, { email: "walk.in@example.test", password: PASSWORD });
    deps.sent.length = 0;
    expect(await register(deps, signUp, origin)).toEqual({ status: "verification_sent" });
    expect(await findUserByEmail(testDb.handle.db, "walk.in@example.test")).toBeUndefined();
    // An existing account's owner is not told either.
    const existing = await acceptSignUp(deps, { email: admin.email, password: PASSWORD });
    expect(await register(deps, existing, origin)).toEqual({ status: "verification_sent" });
    expect(deps.sent).toEqual([]);

    const open = await flowDeps(testDb.handle.db, { registrationMode: "open" });
    expect(await register(open, signUp, origin)).toEqual({ status: "verification_sent" });
    expect(await findUserByEmail(testDb.handle.db, "walk.in@example.test")).toBeDefined();
    expect(open.sent.map((sent) => sent.template)).toEqual(["verify-email"]);
  });
});
