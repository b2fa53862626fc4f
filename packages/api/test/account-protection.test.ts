import { randomBytes } from "node:crypto";
import { hashPassword, totpCodeAt } from "@tidings/auth";
import { insertUserIfAbsent, sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, appCodeForTrpcCode } from "../src/errors.ts";
import { appRouter, createCallerFactory, createContext, type InnerContext, plainRequest } from "../src/index.ts";
import { testInnerContext } from "./context.ts";

// The account-protection procedures (API.md, "Account protection") called in-process on a real
// database: inputs, app codes, limits and what each writes. The flows' rules are tested in
// packages/auth/test; what only HTTP shows, in apps/server/test/account-protection*.test.ts.

const PASSWORD = "correct horse battery staple 42";
const createCaller = createCallerFactory(appRouter);
let testDb: TestDatabase;
let inner: InnerContext;
let passwordHash: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  // A tight sign-in budget per (address, account), to see the second step spend it.
  inner = await testInnerContext(testDb.handle.db, { RATE_LIMIT_LOGIN: "6/900", RATE_LIMIT_LOGIN_IP: "1000/900" });
  passwordHash = await hashPassword(PASSWORD);
});
afterAll(() => testDb?.drop());

/** A caller from its own address (so the per-address limits of one test leave the others alone). */
function callerFrom(ip: string, accessToken?: string) {
  const request = plainRequest({ ip, accessToken, userAgent: "account-protection" });
  return { caller: createCaller(createContext(inner, request)), request };
}

async function account(role: "user" | "admin" = "user") {
  const email = `a${randomBytes(5).toString("hex")}@example.test`;
  const user = await insertUserIfAbsent(testDb.handle.db, {
    email,
    emailNormalized: email,
    displayName: "Ada",
    passwordHash,
    verified: true,
    role,
  });
  if (!user) throw new Error("exists");
  const ip = `127.0.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
  const signedIn = await callerFrom(ip).caller.auth.login({ email, password: PASSWORD, refreshTokenTransport: "body" });
  if ("mfaRequired" in signedIn) throw new Error("unexpected second step");
  return { user, email, ip, caller: callerFrom(ip, signedIn.accessToken).caller };
}

async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  const appCode = error instanceof AppError ? error.appCode : appCodeForTrpcCode(error.code);
  const issues = (error.cause as { issues?: { path: PropertyKey[] }[] } | undefined)?.issues;
  return { code: error.code, appCode, extra: error instanceof AppError ? error.extra : {}, issues };
}

const emailsTo = async (to: string) => {
  const { rows } = await sql<{ template: string }>`
    select payload->>'template' as template from outbox
    where payload->>'to' = ${to} order by created_at, id`.execute(testDb.handle.db);
  return rows.map((row) => row.template);
};

/** The mfaToken of a login that must have stopped at the second step. */
function mfaTokenOf(result: { mfaToken?: string } | object): string {
  if (!("mfaToken" in result) || typeof result.mfaToken !== "string") throw new Error("expected the second step");
  return result.mfaToken;
}

async function withTotp() {
  const person = await account();
  const setup = await person.caller.mfa.totp.setup();
  const { recoveryCodes } = await person.caller.mfa.totp.enable({ code: totpCodeAt(setup.secret, new Date()) });
  return { ...person, secret: setup.secret, recoveryCodes };
}

describe("mfa procedures", () => {
  it("set up, enable, report and disable TOTP for the signed-in user, emailing each change", async () => {
    const person = await account();
    expect(await person.caller.mfa.status()).toEqual({ totp: false, recoveryCodesLeft: 0, passkeys: [] });
    const setup = await person.caller.mfa.totp.setup();
    expect(Object.keys(setup).sort()).toEqual(["otpauthUri", "qrSvg", "secret"]);
    expect(await failure(person.caller.mfa.totp.enable({ code: "12ab56" }))).toMatchObject({
      appCode: "INVALID_INPUT",
    });
    const wrong = String((Number(totpCodeAt(setup.secret, new Date(Date.now() + 10 * 60_000))) + 1) % 1_000_000);
    expect(await failure(person.caller.mfa.totp.enable({ code: wrong.padStart(6, "0") }))).toMatchObject({
      code: "UNAUTHORIZED",
      appCode: "MFA_INVALID",
    });
    const { recoveryCodes } = await person.caller.mfa.totp.enable({ code: totpCodeAt(setup.secret, new Date()) });
    expect(recoveryCodes).toHaveLength(10);
    expect(await person.caller.mfa.status()).toMatchObject({ totp: true, recoveryCodesLeft: 10 });

    expect(await failure(person.caller.mfa.recoveryCodes.regenerate({ password: "nope nope nope" }))).toMatchObject({
      appCode: "INVALID_CREDENTIALS",
      extra: { field: "password" },
    });
    const regenerated = await person.caller.mfa.recoveryCodes.regenerate({ password: PASSWORD });
    expect(regenerated.recoveryCodes).toHaveLength(10);

    // Disabling with a recovery code (the phone is gone) works too.
    expect(
      await person.caller.mfa.totp.disable({ password: PASSWORD, code: regenerated.recoveryCodes[0] ?? "" }),
    ).toEqual({ status: "ok" });
    expect(await person.caller.mfa.status()).toEqual({ totp: false, recoveryCodesLeft: 0, passkeys: [] });
    expect(await emailsTo(person.email)).toEqual(["mfa-changed", "mfa-changed", "mfa-changed"]);
  });

  it("need a signed-in caller", async () => {
    const { caller } = callerFrom("127.1.0.1");
    expect(await failure(caller.mfa.status())).toMatchObject({ appCode: "TOKEN_INVALID" });
    expect(await failure(caller.mfa.totp.setup())).toMatchObject({ appCode: "TOKEN_INVALID" });
  });
});

describe("auth.login and auth.verifyMfa with two-factor on", () => {
  it("answers { mfaRequired, mfaToken, methods } with no session and no cookie, then signs in with a code", async () => {
    const person = await withTotp();
    const { caller, request } = callerFrom("127.2.0.1");
    const step = await caller.auth.login({ email: person.email, password: PASSWORD });
    expect(step).toEqual({ mfaRequired: true, mfaToken: expect.any(String), methods: ["totp", "recovery"] });
    expect(request.refreshCookie.read()).toBeUndefined();

    const result = await caller.auth.verifyMfa({
      mfaToken: mfaTokenOf(step),
      code: totpCodeAt(person.secret, new Date(Date.now() + 30_000)),
    });
    expect(result.user.email).toBe(person.email);
    expect(request.refreshCookie.read()).toBeTruthy();
    expect("refreshToken" in result).toBe(false);
  });

  it("takes exactly one of code and recoveryCode, naming the field", async () => {
    const { caller } = callerFrom("127.2.0.2");
    const mfaToken = "t".repeat(43);
    for (const input of [{ mfaToken }, { mfaToken, code: "123456", recoveryCode: "abcde-fghij" }]) {
      const refused = await failure(caller.auth.verifyMfa(input));
      expect(refused.appCode).toBe("INVALID_INPUT");
      expect(refused.issues?.[0]?.path).toEqual(["code"]);
    }
    expect(await failure(caller.auth.verifyMfa({ mfaToken, code: "123456" }))).toMatchObject({
      appCode: "TOKEN_INVALID",
    });
  });

  it("counts second-factor attempts against the same per-account sign-in limit as passwords", async () => {
    const person = await withTotp();
    const { caller } = callerFrom("127.3.0.1");
    // RATE_LIMIT_LOGIN is 6 here: two wrong passwords, one right one, three wrong codes...
    for (const password of ["wrong one 1 x", "wrong one 2 x"]) {
      expect(await failure(caller.auth.login({ email: person.email, password }))).toMatchObject({
        appCode: "INVALID_CREDENTIALS",
      });
    }
    const step = await caller.auth.login({ email: person.email, password: PASSWORD });
    const mfaToken = mfaTokenOf(step);
    for (let i = 0; i < 3; i++) {
      expect(await failure(caller.auth.verifyMfa({ mfaToken, recoveryCode: `wrong-${i}` }))).toMatchObject({
        appCode: "MFA_INVALID",
      });
    }
    // ...and the seventh attempt, even with the right code, is refused by the limit.
    const limited = await failure(caller.auth.verifyMfa({ mfaToken, code: totpCodeAt(person.secret, new Date()) }));
    expect(limited.appCode).toBe("RATE_LIMITED");
    expect(limited.extra.retryAfterSeconds).toBeGreaterThan(0);
  });
});

/** The token of the newest email of this template to this address, read from the outbox. */
async function tokenSentTo(to: string, template: string): Promise<string> {
  const { rows } = await sql<{ token: string }>`
    select payload->'data'->>'token' as token from outbox
    where payload->>'to' = ${to} and payload->>'template' = ${template}
    order by created_at desc, id desc limit 1`.execute(testDb.handle.db);
  const token = rows[0]?.token;
  if (!token) throw new Error(`no ${template} email to ${to}`);
  return token;
}

describe("admin.invitations and auth.acceptInvitation", () => {
  it("are for admins only: a user is refused and nothing is created", async () => {
    const user = await account();
    const email = `x${randomBytes(4).toString("hex")}@example.test`;
    expect(await failure(user.caller.admin.invitations.create({ email }))).toMatchObject({ appCode: "FORBIDDEN" });
    expect(await failure(user.caller.admin.invitations.list())).toMatchObject({ appCode: "FORBIDDEN" });
    expect(
      await failure(user.caller.admin.invitations.revoke({ invitationId: "00000000-0000-4000-8000-000000000000" })),
    ).toMatchObject({ appCode: "FORBIDDEN" });
    expect(await emailsTo(email)).toEqual([]);
  });

  it("create (role user by default), list, accept once and sign in; revoke answers NOT_FOUND for unknown ids", async () => {
    const admin = await account("admin");
    const email = `i${randomBytes(4).toString("hex")}@example.test`;
    const created = await admin.caller.admin.invitations.create({ email: ` ${email} ` });
    expect(created).toEqual({ id: expect.any(String), expiresAt: expect.any(Date) });
    expect(await emailsTo(email)).toEqual(["invitation"]);
    const listed = await admin.caller.admin.invitations.list({ limit: 100 });
    expect(listed.items.find((item) => item.id === created.id)).toMatchObject({
      email,
      role: "user",
      status: "pending",
    });

    const { caller, request } = callerFrom("127.4.0.1");
    const token = await tokenSentTo(email, "invitation");
    const result = await caller.auth.acceptInvitation({ token, password: PASSWORD, displayName: "Newcomer" });
    expect(result.user).toMatchObject({ email, emailVerified: true, role: "user", displayName: "Newcomer" });
    expect(request.refreshCookie.read()).toBeTruthy();
    expect(await failure(caller.auth.acceptInvitation({ token, password: PASSWORD }))).toMatchObject({
      appCode: "TOKEN_INVALID",
    });
    expect(
      await failure(admin.caller.admin.invitations.revoke({ invitationId: "00000000-0000-4000-8000-000000000000" })),
    ).toMatchObject({ appCode: "NOT_FOUND" });
    expect(await failure(admin.caller.admin.invitations.create({ email }))).toMatchObject({
      appCode: "INVALID_INPUT",
      extra: { issues: [{ path: ["email"] }] },
    });
  });
});

describe("auth.register with REGISTRATION_MODE=invite", () => {
  it("answers exactly as in open mode, and writes and queues nothing", async () => {
    const inviteOnly = await testInnerContext(testDb.handle.db, { REGISTRATION_MODE: "invite" });
    const email = `r${randomBytes(4).toString("hex")}@example.test`;
    const caller = createCaller(createContext(inviteOnly, plainRequest({ ip: "127.5.0.1" })));
    const openCaller = createCaller(createContext(inner, plainRequest({ ip: "127.5.0.2" })));
    const closed = await caller.auth.register({ email, password: PASSWORD });
    expect(closed).toEqual(await openCaller.auth.register({ email: `o${email}`, password: PASSWORD }));
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from users where email = ${email}`.execute(
      testDb.handle.db,
    );
    expect(rows[0]?.n).toBe(0);
    expect(await emailsTo(email)).toEqual([]);
    expect(await emailsTo(`o${email}`)).toEqual(["verify-email"]);
  });
});

describe("account.changeEmail, confirmEmailChange, delete and export", () => {
  it("changeEmail names the field for the same address, spends the email budget, and confirm clears the cookie", async () => {
    const person = await account();
    const same = await failure(person.caller.account.changeEmail({ newEmail: person.email, password: PASSWORD }));
    expect(same).toMatchObject({ appCode: "INVALID_INPUT", extra: { issues: [{ path: ["newEmail"] }] } });
    const newEmail = `n${randomBytes(4).toString("hex")}@example.test`;
    expect(await person.caller.account.changeEmail({ newEmail, password: PASSWORD })).toEqual({
      status: "verification_sent",
    });
    expect(await emailsTo(newEmail)).toEqual(["email-change"]);

    const { caller, request } = callerFrom("127.6.0.1");
    request.refreshCookie.set("some-refresh-token", new Date(Date.now() + 60_000));
    expect(await caller.account.confirmEmailChange({ token: await tokenSentTo(newEmail, "email-change") })).toEqual({
      status: "ok",
    });
    expect(request.refreshCookie.read()).toBeUndefined();
    expect(await emailsTo(person.email)).toContain("email-changed");
    // The caller's session ended with the change.
    expect(await failure(person.caller.auth.me())).toMatchObject({ appCode: "SESSION_REVOKED" });
  });

  it("changeEmail and delete ask for the second factor when two-factor is on (MFA_REQUIRED, then MFA_INVALID)", async () => {
    const person = await withTotp();
    const newEmail = `m${randomBytes(4).toString("hex")}@example.test`;
    expect(await failure(person.caller.account.changeEmail({ newEmail, password: PASSWORD }))).toMatchObject({
      code: "UNAUTHORIZED",
      appCode: "MFA_REQUIRED",
    });
    expect(await failure(person.caller.account.delete({ password: PASSWORD, code: "000000" }))).toMatchObject({
      appCode: "MFA_INVALID",
    });
    expect(await failure(person.caller.account.delete({ password: "nope nope nope" }))).toMatchObject({
      appCode: "INVALID_CREDENTIALS",
    });
    expect(await person.caller.account.delete({ password: PASSWORD, code: person.recoveryCodes[0] ?? "" })).toEqual({
      status: "ok",
    });
    expect(await failure(person.caller.auth.me())).toMatchObject({ appCode: "SESSION_REVOKED" });
  });

  it("export answers a link under APP_URL that expires within 5 minutes", async () => {
    const person = await account();
    const before = Date.now();
    const { url, expiresAt } = await person.caller.account.export();
    expect(url.startsWith(`${inner.config.appUrl.replace(/\/+$/, "")}/exports/`)).toBe(true);
    expect(expiresAt.getTime() - before).toBeLessThanOrEqual(5 * 60_000 + 1_000);
    expect(expiresAt.getTime() - before).toBeGreaterThan(4 * 60_000);
  });
});
