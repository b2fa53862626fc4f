import { findUserById, listAuditEvents, sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AuthDeps,
  AuthFailure,
  type AuthResult,
  disableTotp,
  enableTotp,
  isMfaRequired,
  login,
  type MfaRequired,
  mfaStatus,
  regenerateRecoveryCodes,
  setupTotp,
  verifyMfa,
} from "../src/flows/index.ts";
import { generateRecoveryCode, hashRecoveryCode, matchTotpCode, totpCodeAt, totpStep } from "../src/mfa/index.ts";
import { flowDeps, PASSWORD, verifiedAccount } from "./flow-deps.ts";
import { origin } from "./helpers.ts";

// TOTP two-factor (S33, S35) on a real database. Time is passed in (`now`), never mocked globally:
// the authenticator's side is played by totpCodeAt at chosen moments.

let testDb: TestDatabase;
let deps: AuthDeps & { sent: { template: string; to: string; data: Record<string, unknown> }[] };
const STEP_MS = 30_000;
// The middle of a step, so ±1 and ±2 steps are unambiguous.
const T0 = new Date(Math.floor(Date.UTC(2026, 11, 4, 14, 0, 0) / STEP_MS) * STEP_MS + 15_000);
const at = (steps: number, from = T0) => new Date(from.getTime() + steps * STEP_MS);

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

const eventTypes = async (userId: string) =>
  (await listAuditEvents(testDb.handle.db, { userId, limit: 100 })).items.map((event) => event.type);

/** An account with TOTP on; `secret` is what the user's app holds. */
async function protectedAccount(now = T0) {
  const user = await verifiedAccount(testDb.handle.db);
  const principal = { userId: user.id, sessionId: "00000000-0000-4000-8000-000000000000" };
  const { secret } = await setupTotp(deps, principal);
  const { recoveryCodes } = await enableTotp(deps, principal, { code: totpCodeAt(secret, now) }, origin, now);
  return { user, principal, secret, recoveryCodes };
}

async function passwordStep(email: string): Promise<MfaRequired> {
  const result = await login(deps, { email, password: PASSWORD }, origin);
  if (!isMfaRequired(result)) throw new Error("expected the second step");
  return result;
}

describe("TOTP codes (RFC 6238)", () => {
  it("accepts the code of the current step and of one step either side, not two", () => {
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    expect(matchTotpCode(secret, totpCodeAt(secret, T0), T0)).toBe(totpStep(T0));
    expect(matchTotpCode(secret, totpCodeAt(secret, at(-1)), T0)).toBe(totpStep(T0) - 1);
    expect(matchTotpCode(secret, totpCodeAt(secret, at(1)), T0)).toBe(totpStep(T0) + 1);
    expect(matchTotpCode(secret, totpCodeAt(secret, at(-2)), T0)).toBeUndefined();
    expect(matchTotpCode(secret, totpCodeAt(secret, at(2)), T0)).toBeUndefined();
    expect(matchTotpCode(secret, "12345", T0)).toBeUndefined();
    expect(matchTotpCode(secret, "abcdef", T0)).toBeUndefined();
  });

  it("matches RFC 6238's SHA-1 test vector (6 digits of 94287082 at T=59)", () => {
    // The RFC's key is the ASCII "12345678901234567890", base32 below.
    const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    expect(totpCodeAt(secret, new Date(59_000))).toBe("287082");
  });
});

describe("recovery codes", () => {
  it("carry at least 128 random bits and are matched ignoring case, spaces and dashes", () => {
    const code = generateRecoveryCode();
    expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}(-[0-9a-hjkmnp-tv-z]{1,5}){5}$/);
    expect(code.replace(/-/g, "")).toHaveLength(26); // 26 × 5 bits = 130 bits
    expect(hashRecoveryCode(code.toUpperCase().replace(/-/g, " "))).toBe(hashRecoveryCode(code));
    expect(hashRecoveryCode(code)).not.toContain(code.replace(/-/g, ""));
  });
});

describe("turning TOTP on", () => {
  it("needs a right first code; then 10 recovery codes are shown once and stored only hashed", async () => {
    const { db } = testDb.handle;
    const user = await verifiedAccount(db);
    const principal = { userId: user.id, sessionId: "00000000-0000-4000-8000-000000000000" };
    const setup = await setupTotp(deps, principal);
    expect(setup.otpauthUri).toMatch(/^otpauth:\/\/totp\/Tidings:.+\?.*secret=/);
    expect(setup.otpauthUri).toContain(`secret=${setup.secret}`);
    expect(setup.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    // Not active until confirmed: the password alone still signs in.
    expect(isMfaRequired(await login(deps, { email: user.email, password: PASSWORD }, origin))).toBe(false);
    expect(await failureOf(enableTotp(deps, principal, { code: totpCodeAt(setup.secret, at(3)) }, origin, T0))).toBe(
      "MFA_INVALID",
    );
    expect((await mfaStatus(deps, principal)).totp).toBe(false);

    deps.sent.length = 0;
    const { recoveryCodes } = await enableTotp(deps, principal, { code: totpCodeAt(setup.secret, T0) }, origin, T0);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(await mfaStatus(deps, principal)).toEqual({ totp: true, recoveryCodesLeft: 10, passkeys: [] });
    expect(deps.sent.map((email) => [email.template, email.to, email.data.change])).toEqual([
      ["mfa-changed", user.email, "totp_enabled"],
    ]);
    expect(await eventTypes(user.id)).toContain("mfa_enabled");

    // Nothing stored reads as a code or the key.
    const stored = JSON.stringify(
      await sql`select r.code_hash, t.secret_sealed, t.pending_secret_sealed from recovery_codes r
        join user_totp t on t.user_id = r.user_id where r.user_id = ${user.id}`.execute(db),
    );
    for (const code of recoveryCodes) expect(stored).not.toContain(code.replace(/-/g, ""));
    expect(stored).not.toContain(setup.secret);
    // A second setup while on is refused.
    expect(await failureOf(setupTotp(deps, principal))).toBe("FORBIDDEN");
  });
});

describe("signing in with TOTP on", () => {
  it("answers the password step with a single-use mfaToken and nothing else; a right code completes it", async () => {
    const { user, secret } = await protectedAccount();
    const step = await passwordStep(user.email);
    expect(Object.keys(step).sort()).toEqual(["methods", "mfaRequired", "mfaToken"]);
    expect(step.methods).toEqual(["totp", "recovery"]);

    const later = at(1);
    const result = await verifyMfa(
      deps,
      { mfaToken: step.mfaToken, factor: { code: totpCodeAt(secret, later) } },
      origin,
      later,
    );
    expect(result.user.id).toBe(user.id);
    expect(result.accessToken).toBeTruthy();
    // The token is spent.
    expect(
      await failureOf(
        verifyMfa(deps, { mfaToken: step.mfaToken, factor: { code: totpCodeAt(secret, at(2)) } }, origin, at(2)),
      ),
    ).toBe("TOKEN_INVALID");
    // A wrong password never reaches the second step.
    expect(await failureOf(login(deps, { email: user.email, password: "wrong password 1" }, origin))).toBe(
      "INVALID_CREDENTIALS",
    );
  });

  it("accepts each code once, and codes one step off but not two", async () => {
    const { user, secret } = await protectedAccount();
    const now = at(10);
    const tryCode = async (codeAt: Date) => {
      const step = await passwordStep(user.email);
      return verifyMfa(deps, { mfaToken: step.mfaToken, factor: { code: totpCodeAt(secret, codeAt) } }, origin, now);
    };
    expect(await failureOf(tryCode(at(-2, now)))).toBe("MFA_INVALID");
    expect(await failureOf(tryCode(at(2, now)))).toBe("MFA_INVALID");
    expect((await tryCode(at(-1, now))).user.id).toBe(user.id);
    // The same code again (a replay within its window) is refused...
    expect(await failureOf(tryCode(at(-1, now)))).toBe("MFA_INVALID");
    expect((await tryCode(now)).user.id).toBe(user.id);
    expect(await failureOf(tryCode(now))).toBe("MFA_INVALID");
    expect((await tryCode(at(1, now))).user.id).toBe(user.id);
    expect(await failureOf(tryCode(at(1, now)))).toBe("MFA_INVALID");
    expect(await eventTypes(user.id)).toContain("mfa_failed");
  });

  it("takes each recovery code once", async () => {
    const { user, principal, recoveryCodes } = await protectedAccount();
    const code = recoveryCodes[3] ?? "";
    const first = await passwordStep(user.email);
    const result = await verifyMfa(
      deps,
      { mfaToken: first.mfaToken, factor: { recoveryCode: code.toUpperCase() } },
      origin,
    );
    expect(result.user.id).toBe(user.id);
    const second = await passwordStep(user.email);
    expect(
      await failureOf(verifyMfa(deps, { mfaToken: second.mfaToken, factor: { recoveryCode: code } }, origin)),
    ).toBe("MFA_INVALID");
    expect((await mfaStatus(deps, principal)).recoveryCodesLeft).toBe(9);
    expect(await eventTypes(user.id)).toContain("recovery_code_used");
  });

  it("refuses an expired mfaToken with TOKEN_EXPIRED and an unknown one with TOKEN_INVALID", async () => {
    const { user, secret } = await protectedAccount();
    const step = await passwordStep(user.email);
    await sql`update mfa_challenges set expires_at = now() - interval '1 second' where user_id = ${user.id}`.execute(
      testDb.handle.db,
    );
    const code = { code: totpCodeAt(secret, at(1)) };
    expect(await failureOf(verifyMfa(deps, { mfaToken: step.mfaToken, factor: code }, origin, at(1)))).toBe(
      "TOKEN_EXPIRED",
    );
    expect(await failureOf(verifyMfa(deps, { mfaToken: "x".repeat(43), factor: code }, origin, at(1)))).toBe(
      "TOKEN_INVALID",
    );
  });

  it("counts wrong codes like wrong passwords: the 10th failure locks the account and emails the owner", async () => {
    const { user, secret } = await protectedAccount();
    // Three wrong passwords first: the same counter.
    for (let i = 0; i < 3; i++) {
      expect(await failureOf(login(deps, { email: user.email, password: `wrong password ${i}` }, origin))).toBe(
        "INVALID_CREDENTIALS",
      );
    }
    const step = await passwordStep(user.email);
    deps.sent.length = 0;
    for (let i = 0; i < 7; i++) {
      expect(
        await failureOf(verifyMfa(deps, { mfaToken: step.mfaToken, factor: { code: "000000" } }, origin, at(1))),
      ).not.toBe("TOKEN_INVALID");
    }
    expect((await findUserById(testDb.handle.db, user.id))?.locked_at).toBeInstanceOf(Date);
    expect(deps.sent.map((email) => email.template)).toEqual(["account-locked"]);
    expect(await eventTypes(user.id)).toContain("account_locked");
    // The open second step ended with the lockout, even with a right code.
    expect(
      await failureOf(
        verifyMfa(deps, { mfaToken: step.mfaToken, factor: { code: totpCodeAt(secret, at(1)) } }, origin, at(1)),
      ),
    ).toBe("TOKEN_INVALID");
    expect(await failureOf(login(deps, { email: user.email, password: PASSWORD }, origin))).toBe("INVALID_CREDENTIALS");
  });
});

describe("changing two-factor", () => {
  it("turns off only with the password and a code, emails the owner, and sign-in needs the password alone again", async () => {
    const { user, principal, secret } = await protectedAccount();
    const now = at(4);
    const code = totpCodeAt(secret, now);
    expect(await failureOf(disableTotp(deps, principal, { password: "not it at all", code }, origin, now))).toBe(
      "INVALID_CREDENTIALS",
    );
    expect(await failureOf(disableTotp(deps, principal, { password: PASSWORD, code: "123456" }, origin, now))).toBe(
      "MFA_INVALID",
    );
    expect((await mfaStatus(deps, principal)).totp).toBe(true);

    deps.sent.length = 0;
    expect(await disableTotp(deps, principal, { password: PASSWORD, code }, origin, now)).toEqual({ status: "ok" });
    expect(deps.sent.map((email) => [email.template, email.data.change])).toEqual([["mfa-changed", "totp_disabled"]]);
    expect(await mfaStatus(deps, principal)).toEqual({ totp: false, recoveryCodesLeft: 0, passkeys: [] });
    expect(await eventTypes(user.id)).toContain("mfa_disabled");
    const result = (await login(deps, { email: user.email, password: PASSWORD }, origin)) as AuthResult;
    expect(result.accessToken).toBeTruthy();
  });

  it("regenerates recovery codes with the password: the old ones stop working, the owner is emailed", async () => {
    const { user, principal, recoveryCodes } = await protectedAccount();
    expect(await failureOf(regenerateRecoveryCodes(deps, principal, { password: "not it at all" }, origin))).toBe(
      "INVALID_CREDENTIALS",
    );
    deps.sent.length = 0;
    const fresh = await regenerateRecoveryCodes(deps, principal, { password: PASSWORD }, origin);
    expect(fresh.recoveryCodes).toHaveLength(10);
    expect(deps.sent.map((email) => email.data.change)).toEqual(["recovery_codes_regenerated"]);
    const old = await passwordStep(user.email);
    expect(
      await failureOf(
        verifyMfa(deps, { mfaToken: old.mfaToken, factor: { recoveryCode: recoveryCodes[0] ?? "" } }, origin),
      ),
    ).toBe("MFA_INVALID");
    const result = await verifyMfa(
      deps,
      { mfaToken: old.mfaToken, factor: { recoveryCode: fresh.recoveryCodes[0] ?? "" } },
      origin,
    );
    expect(result.user.id).toBe(user.id);
  });
});
