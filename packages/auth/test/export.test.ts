import { insertMailAccount, sql, updateAiSettings } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sealSecret } from "../src/crypto/index.ts";
import {
  buildAccountExport,
  enableTotp,
  isMfaRequired,
  issueExportLink,
  login,
  readExportLink,
  setupTotp,
  verifyMfa,
} from "../src/flows/index.ts";
import { totpCodeAt } from "../src/mfa/index.ts";
import { issueOneTimeToken } from "../src/one-time-tokens.ts";
import { createSession } from "../src/sessions.ts";
import { flowDeps, PASSWORD, verifiedAccount } from "./flow-deps.ts";
import { origin } from "./helpers.ts";

// The data export (issue #19, must-hold 6, at the lowest level): the account's data, and no secret.

let testDb: TestDatabase;
let deps: Awaited<ReturnType<typeof flowDeps>>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  deps = await flowDeps(testDb.handle.db);
});
afterAll(() => testDb?.drop());

/** Every stored secret of a user: hashes, sealed values, raw tokens we were given. */
async function storedSecrets(userId: string): Promise<string[]> {
  const { rows } = await sql<{ value: string | null }>`
    select password_hash as value from users where id = ${userId}
    union all select token_hash from refresh_tokens r join sessions s on s.id = r.session_id where s.user_id = ${userId}
    union all select token_hash from one_time_tokens where user_id = ${userId}
    union all select token_hash from mfa_challenges where user_id = ${userId}
    union all select code_hash from recovery_codes where user_id = ${userId}
    union all select secret_sealed from user_totp where user_id = ${userId}
    union all select credentials_sealed from mail_accounts where user_id = ${userId}
    union all select api_key_sealed from ai_settings where user_id = ${userId}`.execute(testDb.handle.db);
  return rows.map((row) => row.value).filter((value): value is string => Boolean(value));
}

describe("account export", () => {
  it("holds the profile, sessions, security events, mail accounts' settings and AI settings, and no secret", async () => {
    const { db } = testDb.handle;
    const user = await verifiedAccount(db);
    const principal = { userId: user.id, sessionId: "00000000-0000-4000-8000-000000000000" };
    const now = new Date();
    const { secret } = await setupTotp(deps, principal);
    const { recoveryCodes } = await enableTotp(
      deps,
      principal,
      { code: totpCodeAt(secret, new Date(now.getTime() - 30_000)) },
      origin,
      now,
    );
    const step = await login(deps, { email: user.email, password: PASSWORD }, origin);
    if (!isMfaRequired(step)) throw new Error("expected the second step");
    const signedIn = await verifyMfa(
      deps,
      { mfaToken: step.mfaToken, factor: { code: totpCodeAt(secret, now) } },
      origin,
      now,
    );
    const unlockToken = await issueOneTimeToken(db, user.id, "password_reset");
    const mailPassword = "imap-password-do-not-export";
    await insertMailAccount(db, {
      userId: user.id,
      email: "box@example.test",
      provider: "custom",
      imap: { host: "imap.example.test", port: 993, security: "tls", username: "box" },
      smtp: { host: "smtp.example.test", port: 465, security: "tls", username: "box" },
      credentialsSealed: sealSecret(deps.sessions.encryptionKey, mailPassword),
    });
    await updateAiSettings(db, user.id, {
      provider: "openai",
      api_key_sealed: sealSecret(deps.sessions.encryptionKey, "sk-secret"),
    });
    await createSession(db, { userId: user.id, origin, method: "password" }, deps.sessions);

    const data = await buildAccountExport(deps, user.id);
    expect(data?.profile).toMatchObject({ id: user.id, email: user.email, emailVerified: true });
    expect(data?.twoFactor).toEqual({ totp: true, recoveryCodesLeft: 10 });
    expect(data?.sessions.length).toBeGreaterThanOrEqual(2);
    expect(data?.sessions.map((session) => session.id)).toContain(signedIn.session.id);
    expect(data?.securityEvents.map((event) => event.type)).toEqual(
      expect.arrayContaining(["mfa_enabled", "login_succeeded"]),
    );
    expect(data?.mailAccounts).toEqual([
      expect.objectContaining({
        email: "box@example.test",
        imap: expect.objectContaining({ host: "imap.example.test" }),
      }),
    ]);
    expect(data?.ai.settings).toMatchObject({ provider: "openai", hasApiKey: true });

    const text = JSON.stringify(data);
    const secrets = [
      ...(await storedSecrets(user.id)),
      secret,
      mailPassword,
      "sk-secret",
      signedIn.refreshToken,
      signedIn.accessToken,
      step.mfaToken,
      unlockToken,
      ...recoveryCodes,
    ];
    expect(secrets.length).toBeGreaterThan(20);
    for (const value of secrets) expect(text).not.toContain(value);
    expect(text).not.toMatch(/hash|sealed|secret/i);
    // No field is named after a password ("method": "password" in sign-in events is a fact, not one).
    expect(text).not.toMatch(/"[^"]*password[^"]*":/i);
  });

  it("links expire after 5 minutes, cannot be altered, and name nobody once the account is gone", async () => {
    const user = await verifiedAccount(testDb.handle.db);
    const principal = { userId: user.id, sessionId: "00000000-0000-4000-8000-000000000000" };
    const now = new Date();
    const { token, expiresAt } = await issueExportLink(deps, principal, now);
    expect(expiresAt.getTime() - now.getTime()).toBe(5 * 60_000);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(readExportLink(deps, token, now)).toEqual({ ok: true, userId: user.id });
    expect(readExportLink(deps, token, new Date(expiresAt.getTime() + 1))).toEqual({
      ok: false,
      reason: "TOKEN_EXPIRED",
    });
    const altered = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    expect(readExportLink(deps, altered, now)).toEqual({ ok: false, reason: "TOKEN_INVALID" });
    // Another sealed value of ours is not a link.
    expect(
      readExportLink(deps, sealSecret(deps.sessions.encryptionKey, JSON.stringify({ u: user.id, e: 9e15 })), now),
    ).toEqual({
      ok: false,
      reason: "TOKEN_INVALID",
    });
    await sql`delete from users where id = ${user.id}`.execute(testDb.handle.db);
    expect(await buildAccountExport(deps, user.id)).toBeUndefined();
  });
});
