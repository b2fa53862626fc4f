import { randomBytes } from "node:crypto";
import { createSession, signAccessToken } from "@tidings/auth";
import { insertUserIfAbsent, listAuditEvents, markEmailVerified, sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, appCodeForTrpcCode } from "../src/errors.ts";
import { appRouter, createCallerFactory, createContext, type InnerContext, plainRequest } from "../src/index.ts";
import { testInnerContext } from "./context.ts";

// Who may do what in the admin, session and account routers, called in-process on a real database.
// The HTTP tests of apps/server keep what only HTTP shows (status codes, cookies, headers).

let testDb: TestDatabase;
let inner: InnerContext;
const createCaller = createCallerFactory(appRouter);
const origin = { ip: "127.0.0.1", userAgent: "router-rules" };

beforeAll(async () => {
  testDb = await createTestDatabase();
  inner = await testInnerContext(testDb.handle.db);
});
afterAll(() => testDb?.drop());

interface Person {
  id: string;
  email: string;
  sessionId: string;
  caller: ReturnType<typeof createCaller>;
}

/** A verified account with a fresh session, and a caller signed in with that session's access token. */
async function person(role: "user" | "admin" = "user", email = `p${randomBytes(5).toString("hex")}@example.test`) {
  const { db } = testDb.handle;
  const user = await insertUserIfAbsent(db, { email, emailNormalized: email, displayName: null, passwordHash: "x" });
  if (!user) throw new Error(`${email} exists`);
  await markEmailVerified(db, user.id, role === "admin");
  return signedIn(user.id, email);
}

/** Another session of the same account. */
async function signedIn(userId: string, email: string): Promise<Person> {
  const { session } = await createSession(
    testDb.handle.db,
    { userId, origin, method: "password" },
    inner.auth.sessions,
  );
  const access = await signAccessToken(inner.auth.keyRing, { userId, sessionId: session.id }, inner.auth.tokens);
  const caller = createCaller(
    createContext(inner, plainRequest({ accessToken: access.token, userAgent: "router-rules" })),
  );
  return { id: userId, email, sessionId: session.id, caller };
}

/** The tRPC code and app code a call fails with. */
async function failure(call: Promise<unknown>): Promise<{ code: string; appCode: string; message: string }> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  const appCode = error instanceof AppError ? error.appCode : appCodeForTrpcCode(error.code);
  return { code: error.code, appCode, message: error.message };
}

const eventsOf = async (userId: string, type?: string) =>
  (await listAuditEvents(testDb.handle.db, { userId, type, limit: 100 })).items;
const unknownId = "00000000-0000-4000-8000-000000000000";

describe("admin router", () => {
  it("answers FORBIDDEN to a signed-in user who is not an admin, and changes nothing", async () => {
    const admin = await person("admin");
    const user = await person();
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ["users.list", () => user.caller.admin.users.list({ query: "p" })],
      ["users.unlock", () => user.caller.admin.users.unlock({ userId: user.id })],
      ["users.setDisabled", () => user.caller.admin.users.setDisabled({ userId: admin.id, disabled: true })],
      ["users.revokeSessions", () => user.caller.admin.users.revokeSessions({ userId: admin.id })],
      ["events.list", () => user.caller.admin.events.list({ userId: admin.id })],
    ];
    for (const [name, attempt] of attempts) {
      expect(await failure(attempt()), name).toMatchObject({ code: "FORBIDDEN", appCode: "FORBIDDEN" });
    }
    expect(await admin.caller.auth.me()).toMatchObject({ id: admin.id, role: "admin" });
    expect(await eventsOf(admin.id, "session_revoked")).toEqual([]);
    expect(await eventsOf(admin.id, "account_disabled")).toEqual([]);
  });

  it("takes a role change or a disabled admin into account at once", async () => {
    const admin = await person("admin");
    expect((await admin.caller.admin.users.list({ limit: 1 })).items).toHaveLength(1);
    await testDb.handle.db.updateTable("users").set({ role: "user" }).where("id", "=", admin.id).execute();
    expect((await failure(admin.caller.admin.users.list())).appCode).toBe("FORBIDDEN");
    await testDb.handle.db
      .updateTable("users")
      .set({ role: "admin", disabled_at: new Date() })
      .where("id", "=", admin.id)
      .execute();
    expect((await failure(admin.caller.admin.users.list())).appCode).toBe("FORBIDDEN");
  });

  it("answers NOT_FOUND for an account that does not exist", async () => {
    const admin = await person("admin");
    for (const attempt of [
      () => admin.caller.admin.users.unlock({ userId: unknownId }),
      () => admin.caller.admin.users.setDisabled({ userId: unknownId, disabled: true }),
      () => admin.caller.admin.users.revokeSessions({ userId: unknownId }),
    ]) {
      expect(await failure(attempt())).toMatchObject({ code: "NOT_FOUND", appCode: "NOT_FOUND" });
    }
  });

  it("refuses to let an admin disable their own account", async () => {
    const admin = await person("admin");
    expect(await failure(admin.caller.admin.users.setDisabled({ userId: admin.id, disabled: true }))).toMatchObject({
      code: "FORBIDDEN",
      message: "You cannot disable your own account",
    });
    expect(await admin.caller.auth.me()).toMatchObject({ id: admin.id });
  });

  it("disabling ends every session of the account and is audited once; enabling lets it back", async () => {
    const admin = await person("admin");
    const user = await person();
    const second = await signedIn(user.id, user.email);
    expect(await admin.caller.admin.users.setDisabled({ userId: user.id, disabled: true })).toEqual({ status: "ok" });
    // A second disable changes nothing, so it records nothing.
    await admin.caller.admin.users.setDisabled({ userId: user.id, disabled: true });
    for (const session of [user, second]) {
      expect(await inner.auth.revocation.isRevoked(session.sessionId)).toBe(true);
      expect((await failure(session.caller.auth.me())).appCode).toBe("SESSION_REVOKED");
    }
    const disabled = await eventsOf(user.id, "account_disabled");
    expect(disabled).toHaveLength(1);
    expect(disabled[0]?.metadata).toEqual({ adminId: admin.id });
    const listed = await admin.caller.admin.users.list({ query: user.email });
    expect(listed.items.map((item) => [item.id, item.disabledAt !== null])).toEqual([[user.id, true]]);

    await admin.caller.admin.users.setDisabled({ userId: user.id, disabled: false });
    expect(await eventsOf(user.id, "account_enabled")).toHaveLength(1);
    expect((await admin.caller.admin.users.list({ query: user.email })).items[0]?.disabledAt).toBeNull();
  });

  it("unlocks a locked account (audited), and an unlocked one without an event", async () => {
    const admin = await person("admin");
    const user = await person();
    await admin.caller.admin.users.unlock({ userId: user.id });
    expect(await eventsOf(user.id, "account_unlocked")).toEqual([]);
    await testDb.handle.db
      .updateTable("users")
      .set({ locked_at: new Date(), failed_login_count: 10 })
      .where("id", "=", user.id)
      .execute();
    expect(await admin.caller.admin.users.unlock({ userId: user.id })).toEqual({ status: "ok" });
    const listed = (await admin.caller.admin.users.list({ query: user.email })).items[0];
    expect(listed?.lockedAt).toBeNull();
    const unlocked = await eventsOf(user.id, "account_unlocked");
    expect(unlocked.map((event) => event.metadata)).toEqual([{ by: "admin", adminId: admin.id }]);
  });

  it("revokes every session of an account, one session_revoked event each", async () => {
    const admin = await person("admin");
    const user = await person();
    const second = await signedIn(user.id, user.email);
    expect(await admin.caller.admin.users.revokeSessions({ userId: user.id })).toEqual({ revoked: 2 });
    expect((await failure(second.caller.auth.me())).appCode).toBe("SESSION_REVOKED");
    const events = await eventsOf(user.id, "session_revoked");
    expect(events.map((event) => event.metadata.sessionId).sort()).toEqual([user.sessionId, second.sessionId].sort());
    expect(await admin.caller.admin.users.revokeSessions({ userId: user.id })).toEqual({ revoked: 0 });
  });

  it("finds accounts by part of the email or name, case-insensitively, with LIKE's wildcards taken literally", async () => {
    const admin = await person("admin");
    const tag = randomBytes(4).toString("hex");
    const alice = await person("user", `alice.${tag}@example.test`);
    await person("user", `al_ce.${tag}@example.test`);
    await testDb.handle.db
      .updateTable("users")
      .set({ display_name: `Zoë ${tag}` })
      .where("id", "=", alice.id)
      .execute();
    const ids = async (query: string) =>
      (await admin.caller.admin.users.list({ query })).items.map((item) => item.email).sort();
    expect(await ids(`ICE.${tag.toUpperCase()}`)).toEqual([`alice.${tag}@example.test`]);
    expect(await ids(`zoË ${tag}`)).toEqual([`alice.${tag}@example.test`]);
    expect(await ids(`al_ce.${tag}`)).toEqual([`al_ce.${tag}@example.test`]);
    expect(await ids(`%${tag}`)).toEqual([]);
    const [found] = (await admin.caller.admin.users.list({ query: alice.email })).items;
    expect(found).toMatchObject({ id: alice.id, email: alice.email, role: "user", lockedAt: null, disabledAt: null });
    expect(found?.lastLoginAt).toBeInstanceOf(Date);
  });

  it("pages through accounts created in the same microsecond without skipping or repeating any", async () => {
    const admin = await person("admin");
    const createdAt = sql<Date>`'2031-01-01 00:00:00.123456+00'::timestamptz`;
    const emails = Array.from({ length: 5 }, (_, index) => `same-instant-${index}@example.test`);
    await testDb.handle.db
      .insertInto("users")
      .values(emails.map((email) => ({ email, email_normalized: email, password_hash: "x", created_at: createdAt })))
      .execute();
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const answer = await admin.caller.admin.users.list({ query: "same-instant", limit: 2, cursor });
      seen.push(...answer.items.map((user) => user.email));
      cursor = answer.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(cursor).toBeUndefined();
    expect(seen.toSorted()).toEqual(emails);
    expect(await failure(admin.caller.admin.users.list({ cursor: "2031-01-01T00:00:00Z" }))).toMatchObject({
      code: "BAD_REQUEST",
      appCode: "INVALID_INPUT",
    });
  });
});

describe("session router", () => {
  it("lists the caller's live sessions, newest first, marking the current one", async () => {
    const first = await person();
    const second = await signedIn(first.id, first.email);
    await person();
    const listed = await second.caller.session.list();
    expect(listed.map((session) => [session.id, session.current])).toEqual([
      [second.sessionId, true],
      [first.sessionId, false],
    ]);
  });

  it("revokes the caller's own sessions, the current one included", async () => {
    const current = await person();
    const other = await signedIn(current.id, current.email);
    expect(await current.caller.session.revoke({ sessionId: other.sessionId })).toEqual({ status: "ok" });
    expect((await failure(other.caller.auth.me())).appCode).toBe("SESSION_REVOKED");
    expect((await eventsOf(current.id, "session_revoked")).map((event) => event.metadata)).toEqual([
      { sessionId: other.sessionId },
    ]);
    expect(await current.caller.session.revoke({ sessionId: current.sessionId })).toEqual({ status: "ok" });
    expect((await failure(current.caller.auth.me())).appCode).toBe("SESSION_REVOKED");
  });

  it("answers NOT_FOUND alike for another user's session, an unknown one and one already ended", async () => {
    const caller = await person();
    const stranger = await person();
    const ended = await signedIn(caller.id, caller.email);
    await caller.caller.session.revoke({ sessionId: ended.sessionId });
    const answers = await Promise.all(
      [stranger.sessionId, unknownId, ended.sessionId].map((sessionId) =>
        failure(caller.caller.session.revoke({ sessionId })),
      ),
    );
    for (const answer of answers)
      expect(answer).toEqual({ code: "NOT_FOUND", appCode: "NOT_FOUND", message: "No such session" });
    expect(await inner.auth.revocation.isRevoked(stranger.sessionId)).toBe(false);
    expect(await stranger.caller.auth.me()).toMatchObject({ id: stranger.id });
    expect(await eventsOf(stranger.id, "session_revoked")).toEqual([]);
  });

  it("revokeOthers ends every session but the caller's, and no one else's", async () => {
    const current = await person();
    const others = [await signedIn(current.id, current.email), await signedIn(current.id, current.email)];
    const stranger = await person();
    expect(await current.caller.session.revokeOthers()).toEqual({ revoked: 2 });
    for (const other of others) expect((await failure(other.caller.auth.me())).appCode).toBe("SESSION_REVOKED");
    expect(await current.caller.auth.me()).toMatchObject({ id: current.id });
    expect(await stranger.caller.auth.me()).toMatchObject({ id: stranger.id });
    expect((await current.caller.session.list()).map((session) => session.id)).toEqual([current.sessionId]);
  });
});

describe("account router", () => {
  it("updateProfile changes the caller's own name only", async () => {
    const caller = await person();
    const other = await person();
    expect(await caller.caller.account.updateProfile({ displayName: "  Ada  " })).toMatchObject({
      id: caller.id,
      displayName: "Ada",
    });
    expect(await caller.caller.auth.me()).toMatchObject({ displayName: "Ada" });
    expect(await other.caller.auth.me()).toMatchObject({ displayName: null });
  });

  it("securityEvents lists the caller's own trail only", async () => {
    const caller = await person();
    const other = await person();
    const own = await caller.caller.account.securityEvents();
    expect(own.items.map((event) => event.type)).toEqual(["login_succeeded"]);
    expect(own.items[0]?.metadata).toMatchObject({ sessionId: caller.sessionId });
    const theirs = await other.caller.account.securityEvents();
    expect(theirs.items.map((event) => event.metadata.sessionId)).toEqual([other.sessionId]);
  });

  it("refuses a caller without a valid access token", async () => {
    const anonymous = createCaller(createContext(inner, plainRequest()));
    const forged = createCaller(createContext(inner, plainRequest({ accessToken: "not.a.token" })));
    for (const caller of [anonymous, forged]) {
      expect((await failure(caller.account.updateProfile({ displayName: "Eve" }))).appCode).toBe("TOKEN_INVALID");
      expect((await failure(caller.session.list())).appCode).toBe("TOKEN_INVALID");
    }
  });
});
