import { randomBytes } from "node:crypto";
import { findUserByEmail, findUserById, listAuditEvents, sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthFailure,
  type AuthResult,
  acceptSignUp,
  confirmEmailChange,
  deleteAccount,
  enableTotp,
  login,
  register,
  requestEmailChange,
  setupTotp,
} from "../src/flows/index.ts";
import { totpCodeAt } from "../src/mfa/index.ts";
import { createSession } from "../src/sessions.ts";
import { flowDeps, PASSWORD, verifiedAccount } from "./flow-deps.ts";
import { origin } from "./helpers.ts";

// Email change and account deletion (S35) on a real database.

let testDb: TestDatabase;
let deps: Awaited<ReturnType<typeof flowDeps>>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  deps = await flowDeps(testDb.handle.db);
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

const fresh = (name: string) => `${name}.${randomBytes(4).toString("hex")}@example.test`;

async function signedIn(email = fresh("owner")) {
  const user = await verifiedAccount(testDb.handle.db, email);
  const { session } = await createSession(
    testDb.handle.db,
    { userId: user.id, origin, method: "password" },
    deps.sessions,
  );
  return { user, principal: { userId: user.id, sessionId: session.id } };
}

function tokenMailedTo(to: string, template: string): string {
  const mail = deps.sent.filter((sent) => sent.to === to && sent.template === template).at(-1);
  if (!mail) throw new Error(`no ${template} to ${to}`);
  return String(mail.data.token);
}

async function withTotp(principal: { userId: string; sessionId: string }) {
  const now = new Date();
  const { secret } = await setupTotp(deps, principal);
  await enableTotp(deps, principal, { code: totpCodeAt(secret, new Date(now.getTime() - 30_000)) }, origin, now);
  return secret;
}

describe("email change", () => {
  it("changes nothing until the link sent to the new address is used; then only the new address signs in", async () => {
    const { user, principal } = await signedIn();
    const newEmail = fresh("moved");
    expect(await failureOf(requestEmailChange(deps, principal, { newEmail, password: "wrong password" }))).toBe(
      "INVALID_CREDENTIALS",
    );
    expect(await requestEmailChange(deps, principal, { newEmail, password: PASSWORD })).toEqual({
      status: "verification_sent",
    });
    const token = tokenMailedTo(newEmail, "email-change");
    expect((await findUserById(testDb.handle.db, user.id))?.email).toBe(user.email);
    expect((await login(deps, { email: user.email, password: PASSWORD }, origin)) as AuthResult).toHaveProperty(
      "accessToken",
    );

    expect(await confirmEmailChange(deps, token, origin)).toEqual({ status: "ok", userId: user.id });
    expect((await findUserById(testDb.handle.db, user.id))?.email).toBe(newEmail);
    expect(await failureOf(login(deps, { email: user.email, password: PASSWORD }, origin))).toBe("INVALID_CREDENTIALS");
    expect((await login(deps, { email: newEmail, password: PASSWORD }, origin)) as AuthResult).toHaveProperty(
      "accessToken",
    );
    // The old address is told, with the new one.
    const notice = deps.sent.find((sent) => sent.template === "email-changed" && sent.to === user.email);
    expect(notice?.data).toMatchObject({ newEmail, ip: origin.ip });
    // Every session that existed ended; the link works once.
    expect(await deps.revocation.isRevoked(principal.sessionId)).toBe(true);
    expect(await failureOf(confirmEmailChange(deps, token, origin))).toBe("TOKEN_INVALID");
    const events = await listAuditEvents(testDb.handle.db, { userId: user.id, type: "email_changed", limit: 5 });
    expect(events.items[0]?.metadata).toEqual({ from: user.email, to: newEmail });
  });

  it("expires after 24 hours, and a newer request retires the older link", async () => {
    const { principal } = await signedIn();
    const first = fresh("first");
    const second = fresh("second");
    await requestEmailChange(deps, principal, { newEmail: first, password: PASSWORD });
    await requestEmailChange(deps, principal, { newEmail: second, password: PASSWORD });
    expect(await failureOf(confirmEmailChange(deps, tokenMailedTo(first, "email-change"), origin))).toBe(
      "TOKEN_INVALID",
    );
    await sql`update email_changes set expires_at = now() - interval '1 second' where new_email = ${second}`.execute(
      testDb.handle.db,
    );
    expect(await failureOf(confirmEmailChange(deps, tokenMailedTo(second, "email-change"), origin))).toBe(
      "TOKEN_EXPIRED",
    );
  });

  it("answers the same for an address that has an account, and sends it nothing", async () => {
    const { principal } = await signedIn();
    const other = await verifiedAccount(testDb.handle.db, fresh("taken"));
    deps.sent.length = 0;
    expect(await requestEmailChange(deps, principal, { newEmail: other.email, password: PASSWORD })).toEqual({
      status: "verification_sent",
    });
    expect(deps.sent).toEqual([]);
  });

  it("needs a second factor when two-factor is on", async () => {
    const { principal } = await signedIn();
    const secret = await withTotp(principal);
    const newEmail = fresh("mfa");
    expect(await failureOf(requestEmailChange(deps, principal, { newEmail, password: PASSWORD }))).toBe("MFA_REQUIRED");
    expect(await failureOf(requestEmailChange(deps, principal, { newEmail, password: PASSWORD, code: "000000" }))).toBe(
      "MFA_INVALID",
    );
    const code = totpCodeAt(secret, new Date(Date.now() + 30_000));
    expect(await requestEmailChange(deps, principal, { newEmail, password: PASSWORD, code })).toEqual({
      status: "verification_sent",
    });
  });
});

describe("account deletion", () => {
  it("needs the password, ends every session, removes the account's rows, and frees the address", async () => {
    const email = fresh("leaving");
    const { user, principal } = await signedIn(email);
    const other = await createSession(testDb.handle.db, { userId: user.id, origin, method: "password" }, deps.sessions);
    expect(await failureOf(deleteAccount(deps, principal, { password: "wrong password" }, origin))).toBe(
      "INVALID_CREDENTIALS",
    );
    expect(await deleteAccount(deps, principal, { password: PASSWORD }, origin)).toEqual({ status: "ok" });

    expect(await deps.revocation.isRevoked(principal.sessionId)).toBe(true);
    expect(await deps.revocation.isRevoked(other.session.id)).toBe(true);
    const { rows } = await sql<{ users: number; sessions: number; events: number; tokens: number }>`
      select (select count(*)::int from users where id = ${user.id}) as users,
             (select count(*)::int from sessions where user_id = ${user.id}) as sessions,
             (select count(*)::int from audit_events where user_id = ${user.id}) as events,
             (select count(*)::int from refresh_tokens r join sessions s on s.id = r.session_id
               where s.user_id = ${user.id}) as tokens`.execute(testDb.handle.db);
    expect(rows[0]).toEqual({ users: 0, sessions: 0, events: 0, tokens: 0 });
    const trace = await sql<{ metadata: unknown }>`
      select metadata from audit_events where type = 'account_deleted' and user_id is null
      and metadata->>'deletedUserId' = ${user.id}`.execute(testDb.handle.db);
    expect(trace.rows).toHaveLength(1);

    // The address is free again.
    const again = await acceptSignUp(deps, { email, password: PASSWORD });
    await register(deps, again, origin);
    expect((await findUserByEmail(testDb.handle.db, email))?.id).not.toBe(user.id);
  });

  it("needs a second factor when two-factor is on", async () => {
    const { user, principal } = await signedIn();
    const secret = await withTotp(principal);
    expect(await failureOf(deleteAccount(deps, principal, { password: PASSWORD }, origin))).toBe("MFA_REQUIRED");
    expect(await failureOf(deleteAccount(deps, principal, { password: PASSWORD, code: "000000" }, origin))).toBe(
      "MFA_INVALID",
    );
    expect(await findUserById(testDb.handle.db, user.id)).toBeDefined();
    const code = totpCodeAt(secret, new Date(Date.now() + 30_000));
    expect(await deleteAccount(deps, principal, { password: PASSWORD, code }, origin)).toEqual({ status: "ok" });
    expect(await findUserById(testDb.handle.db, user.id)).toBeUndefined();
  });
});
