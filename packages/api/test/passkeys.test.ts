import { randomBytes } from "node:crypto";
import { hashPassword, totpCodeAt } from "@tidings/auth";
import { insertUserIfAbsent, sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { createSoftwareAuthenticator } from "@tidings/testing/webauthn";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, appCodeForTrpcCode } from "../src/errors.ts";
import { appRouter, createCallerFactory, createContext, type InnerContext, plainRequest } from "../src/index.ts";
import { testInnerContext } from "./context.ts";

// Passkeys (S34) called in-process on a real database, with real WebAuthn answers made by a
// software authenticator (ES256 keys, signatures by node:crypto): registration bound to the
// session, passwordless sign-in, the passkey second factor, and removal.

const PASSWORD = "correct horse battery staple 42";
const APP_URL = "https://mail.example.test";
const createCaller = createCallerFactory(appRouter);
let testDb: TestDatabase;
let inner: InnerContext;
let passwordHash: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  // Many sign-ins from one address per test; the limits themselves are tested elsewhere.
  inner = await testInnerContext(testDb.handle.db, { APP_URL, RATE_LIMIT_LOGIN: "1000/900" });
  passwordHash = await hashPassword(PASSWORD);
});
afterAll(() => testDb?.drop());

let nextIp = 0;
function callerFrom(accessToken?: string) {
  nextIp += 1;
  const request = plainRequest({ ip: `127.9.${nextIp >> 8}.${nextIp & 255}`, accessToken, userAgent: "passkeys" });
  return { caller: createCaller(createContext(inner, request)), request };
}

async function signIn(email: string) {
  const signedIn = await callerFrom().caller.auth.login({ email, password: PASSWORD, refreshTokenTransport: "body" });
  if ("mfaRequired" in signedIn) throw new Error("unexpected second step");
  return { caller: callerFrom(signedIn.accessToken).caller, sessionId: signedIn.session.id };
}

async function account() {
  const email = `p${randomBytes(5).toString("hex")}@example.test`;
  const user = await insertUserIfAbsent(testDb.handle.db, {
    email,
    emailNormalized: email,
    displayName: "Ada",
    passwordHash,
    verified: true,
  });
  if (!user) throw new Error("exists");
  return { user, email, ...(await signIn(email)) };
}

/** An account with one passkey registered through the procedures. */
async function withPasskey() {
  const person = await account();
  const authenticator = createSoftwareAuthenticator();
  const options = await person.caller.mfa.passkey.registerOptions();
  const { response, credential } = authenticator.register(options, { origin: APP_URL });
  const passkey = await person.caller.mfa.passkey.register({ name: "Laptop", response });
  return { ...person, authenticator, credential, passkey };
}

async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return { code: error.code, appCode: error instanceof AppError ? error.appCode : appCodeForTrpcCode(error.code) };
}
const refusedAssertion = { code: "UNAUTHORIZED", appCode: "MFA_INVALID" };

const emailsTo = async (to: string) => {
  const { rows } = await sql<{ template: string; change: string | null }>`
    select payload->>'template' as template, payload->'data'->>'change' as change from outbox
    where payload->>'to' = ${to} order by created_at, id`.execute(testDb.handle.db);
  return rows;
};
const eventsOf = async (userId: string) => {
  const { rows } = await sql<{ type: string }>`
    select type from audit_events where user_id = ${userId} order by id`.execute(testDb.handle.db);
  return rows.map((row) => row.type);
};
const passkeyRow = async (id: string) => {
  const { rows } = await sql<{ counter: number; backed_up: boolean; device_type: string; last_used_at: Date | null }>`
    select counter::int as counter, backed_up, device_type, last_used_at from passkeys where id = ${id}`.execute(
    testDb.handle.db,
  );
  return rows[0];
};

describe("mfa.passkey.register", () => {
  it("stores a verified passkey with its counter and backup flags, lists it, records passkey_added and emails the owner", async () => {
    const person = await account();
    const authenticator = createSoftwareAuthenticator();
    const options = await person.caller.mfa.passkey.registerOptions();
    expect(options.rp).toEqual({ id: "mail.example.test", name: "Tidings" });
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "required" });
    const { response } = authenticator.register(options, { origin: APP_URL, counter: 5, backedUp: true });
    const passkey = await person.caller.mfa.passkey.register({ name: "  Laptop  ", response });
    expect(passkey).toEqual({ id: expect.any(String), name: "Laptop", createdAt: expect.any(Date), lastUsedAt: null });
    expect(await passkeyRow(passkey.id)).toMatchObject({ counter: 5, backed_up: true, device_type: "multiDevice" });

    expect((await person.caller.mfa.status()).passkeys).toEqual([passkey]);
    expect(await eventsOf(person.user.id)).toContain("passkey_added");
    expect(await emailsTo(person.email)).toEqual([{ template: "mfa-changed", change: "passkey_added" }]);
  });

  it("refuses a replayed registration: the challenge is single use", async () => {
    const person = await account();
    const options = await person.caller.mfa.passkey.registerOptions();
    const { response } = createSoftwareAuthenticator().register(options, { origin: APP_URL });
    await person.caller.mfa.passkey.register({ name: "Once", response });
    expect(await failure(person.caller.mfa.passkey.register({ name: "Twice", response }))).toMatchObject(
      refusedAssertion,
    );
    // A fresh challenge answered by another key works; the same key again is refused as registered.
    expect((await person.caller.mfa.status()).passkeys).toHaveLength(1);
  });

  it("refuses a challenge handed to another session, even of the same account", async () => {
    const person = await account();
    const other = await signIn(person.email);
    const options = await person.caller.mfa.passkey.registerOptions();
    const { response } = createSoftwareAuthenticator().register(options, { origin: APP_URL });
    expect(await failure(other.caller.mfa.passkey.register({ name: "Elsewhere", response }))).toMatchObject(
      refusedAssertion,
    );
    // Nor is it usable afterwards by its own session: an answered challenge is spent.
    expect((await person.caller.mfa.status()).passkeys).toEqual([]);
  });

  it("refuses an answer signed for another origin or another RP ID", async () => {
    const person = await account();
    const authenticator = createSoftwareAuthenticator();
    const wrongOrigin = authenticator.register(await person.caller.mfa.passkey.registerOptions(), {
      origin: "https://evil.example.test",
    });
    expect(
      await failure(person.caller.mfa.passkey.register({ name: "Phished", response: wrongOrigin.response })),
    ).toMatchObject(refusedAssertion);
    const wrongRpId = authenticator.register(await person.caller.mfa.passkey.registerOptions(), {
      origin: APP_URL,
      rpId: "evil.example.test",
    });
    expect(
      await failure(person.caller.mfa.passkey.register({ name: "Phished", response: wrongRpId.response })),
    ).toMatchObject(refusedAssertion);
    expect((await person.caller.mfa.status()).passkeys).toEqual([]);
  });

  it("names the field of a bad input and needs a signed-in caller", async () => {
    const person = await account();
    const options = await person.caller.mfa.passkey.registerOptions();
    const { response } = createSoftwareAuthenticator().register(options, { origin: APP_URL });
    expect(await failure(person.caller.mfa.passkey.register({ name: "", response }))).toMatchObject({
      appCode: "INVALID_INPUT",
    });
    const { caller } = callerFrom();
    expect(await failure(caller.mfa.passkey.registerOptions())).toMatchObject({ appCode: "TOKEN_INVALID" });
  });
});

describe("auth.passkeyOptions and auth.passkeyLogin (passwordless)", () => {
  it("signs in with a discoverable passkey, updating its counter; the same assertion replayed is refused", async () => {
    const person = await withPasskey();
    const { caller } = callerFrom();
    const options = await caller.auth.passkeyOptions({});
    expect(options).toMatchObject({ rpId: "mail.example.test", userVerification: "required" });
    const response = person.authenticator.assert(options, { origin: APP_URL });
    const result = await caller.auth.passkeyLogin({ response, refreshTokenTransport: "body" });
    expect(result.user.email).toBe(person.email);
    expect(await passkeyRow(person.passkey.id)).toMatchObject({ counter: 1, last_used_at: expect.any(Date) });

    expect(await failure(callerFrom().caller.auth.passkeyLogin({ response }))).toMatchObject(refusedAssertion);
    expect((await person.caller.mfa.status()).passkeys[0]?.lastUsedAt).toBeInstanceOf(Date);
  });

  it("refuses a wrong origin, a wrong RP ID, a missing user verification and a counter that did not grow", async () => {
    const person = await withPasskey();
    const { caller } = callerFrom();
    const attempt = async (answer: Parameters<typeof person.authenticator.assert>[1]) =>
      failure(
        caller.auth.passkeyLogin({ response: person.authenticator.assert(await caller.auth.passkeyOptions(), answer) }),
      );

    expect(await attempt({ origin: "https://evil.example.test" })).toMatchObject(refusedAssertion);
    expect(await attempt({ origin: APP_URL, rpId: "evil.example.test" })).toMatchObject(refusedAssertion);
    expect(await attempt({ origin: APP_URL, userVerified: false })).toMatchObject(refusedAssertion);

    // A right answer moves the counter to 7; a cloned key still at 7 (or lower) is refused.
    const options = await caller.auth.passkeyOptions({});
    await caller.auth.passkeyLogin({ response: person.authenticator.assert(options, { origin: APP_URL, counter: 7 }) });
    expect(await attempt({ origin: APP_URL, counter: 7 })).toMatchObject(refusedAssertion);
    expect(await attempt({ origin: APP_URL, counter: 3 })).toMatchObject(refusedAssertion);
    expect(await passkeyRow(person.passkey.id)).toMatchObject({ counter: 7 });
  });

  it("refuses a passkey that is not registered and an assertion for a challenge never issued", async () => {
    const stranger = createSoftwareAuthenticator();
    stranger.register({ challenge: "x", rp: { id: "mail.example.test" }, user: { id: "dXNlcg" } }, { origin: APP_URL });
    const { caller } = callerFrom();
    const options = await caller.auth.passkeyOptions({});
    expect(
      await failure(caller.auth.passkeyLogin({ response: stranger.assert(options, { origin: APP_URL }) })),
    ).toMatchObject(refusedAssertion);

    const person = await withPasskey();
    const forged = person.authenticator.assert(
      { challenge: randomBytes(32).toString("base64url") },
      { origin: APP_URL },
    );
    expect(await failure(caller.auth.passkeyLogin({ response: forged }))).toMatchObject(refusedAssertion);
  });
});

describe("a passkey as the second factor", () => {
  async function withTotpAndPasskey() {
    const person = await withPasskey();
    const setup = await person.caller.mfa.totp.setup();
    await person.caller.mfa.totp.enable({ code: totpCodeAt(setup.secret, new Date()) });
    return person;
  }

  it("is offered by auth.login and completes auth.verifyMfa with an assertion bound to that sign-in", async () => {
    const person = await withTotpAndPasskey();
    const { caller } = callerFrom();
    const step = await caller.auth.login({ email: person.email, password: PASSWORD });
    if (!("mfaRequired" in step)) throw new Error("expected the second step");
    expect(step.methods).toEqual(["totp", "recovery", "passkey"]);

    const options = await caller.auth.passkeyOptions({ mfaToken: step.mfaToken });
    expect(options.allowCredentials?.map((entry) => entry.id)).toEqual([person.credential.id.toString("base64url")]);
    const passkey = person.authenticator.assert(options, { origin: APP_URL });
    const result = await caller.auth.verifyMfa({ mfaToken: step.mfaToken, passkey, refreshTokenTransport: "body" });
    expect(result.user.email).toBe(person.email);
  });

  it("refuses an assertion whose challenge belongs to another sign-in, and a replayed one", async () => {
    const person = await withTotpAndPasskey();
    const { caller } = callerFrom();
    const first = await caller.auth.login({ email: person.email, password: PASSWORD });
    const second = await caller.auth.login({ email: person.email, password: PASSWORD });
    if (!("mfaRequired" in first) || !("mfaRequired" in second)) throw new Error("expected the second step");

    const forFirst = person.authenticator.assert(await caller.auth.passkeyOptions({ mfaToken: first.mfaToken }), {
      origin: APP_URL,
    });
    expect(await failure(caller.auth.verifyMfa({ mfaToken: second.mfaToken, passkey: forFirst }))).toMatchObject(
      refusedAssertion,
    );
    // A passwordless challenge does not answer a second step either.
    const passwordless = person.authenticator.assert(await caller.auth.passkeyOptions({}), { origin: APP_URL });
    expect(await failure(caller.auth.verifyMfa({ mfaToken: second.mfaToken, passkey: passwordless }))).toMatchObject(
      refusedAssertion,
    );

    const right = person.authenticator.assert(await caller.auth.passkeyOptions({ mfaToken: second.mfaToken }), {
      origin: APP_URL,
    });
    await caller.auth.verifyMfa({ mfaToken: second.mfaToken, passkey: right });
    expect(await failure(caller.auth.verifyMfa({ mfaToken: first.mfaToken, passkey: right }))).toMatchObject(
      refusedAssertion,
    );
    expect(await eventsOf(person.user.id)).toContain("mfa_failed");
  });

  it("takes exactly one of code, recoveryCode and passkey", async () => {
    const person = await withTotpAndPasskey();
    const { caller } = callerFrom();
    const step = await caller.auth.login({ email: person.email, password: PASSWORD });
    if (!("mfaRequired" in step)) throw new Error("expected the second step");
    const passkey = person.authenticator.assert(await caller.auth.passkeyOptions({ mfaToken: step.mfaToken }), {
      origin: APP_URL,
    });
    expect(await failure(caller.auth.verifyMfa({ mfaToken: step.mfaToken, code: "123456", passkey }))).toMatchObject({
      appCode: "INVALID_INPUT",
    });
  });
});

describe("mfa.passkey.remove", () => {
  it("removes the caller's passkey (event and email), which then no longer signs in", async () => {
    const person = await withPasskey();
    expect(await person.caller.mfa.passkey.remove({ passkeyId: person.passkey.id })).toEqual({ status: "ok" });
    expect((await person.caller.mfa.status()).passkeys).toEqual([]);
    expect(await eventsOf(person.user.id)).toEqual(expect.arrayContaining(["passkey_added", "passkey_removed"]));
    expect((await emailsTo(person.email)).map((email) => email.change)).toEqual(["passkey_added", "passkey_removed"]);

    const { caller } = callerFrom();
    const response = person.authenticator.assert(await caller.auth.passkeyOptions({}), { origin: APP_URL });
    expect(await failure(caller.auth.passkeyLogin({ response }))).toMatchObject(refusedAssertion);
  });

  it("answers NOT_FOUND for another user's passkey id and leaves it in place", async () => {
    const owner = await withPasskey();
    const other = await account();
    expect(await failure(other.caller.mfa.passkey.remove({ passkeyId: owner.passkey.id }))).toMatchObject({
      code: "NOT_FOUND",
      appCode: "NOT_FOUND",
    });
    expect((await owner.caller.mfa.status()).passkeys).toHaveLength(1);
    expect(await eventsOf(other.user.id)).not.toContain("passkey_removed");
  });
});
