import { totpCodeAt } from "@tidings/auth";
import {
  type AuthResultBody,
  type AuthStack,
  bearer,
  PASSWORD,
  signUp,
  startAuthStack,
  trpcCall,
} from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Issue #19, must-hold 1, over HTTP against Postgres and Redis with emails read from the SMTP sink:
// enabling needs a right code; sign-in then needs a second step; a code works once; one step off
// works, two steps off does not; a recovery code works once; 10 wrong codes lock like 10 wrong
// passwords; disabling needs password and code; each change emails the owner.

const STEP_MS = 30_000;

/**
 * Waits until the clock is well inside a 30 s step, so that codes made here for "this step ± n"
 * mean the same on the server a moment later.
 */
async function steadyStep(needMs = 10_000): Promise<Date> {
  const phase = Date.now() % STEP_MS;
  if (phase < 1_000 || phase > STEP_MS - needMs) {
    await new Promise((resolve) => setTimeout(resolve, STEP_MS - phase + 1_000));
  }
  return new Date();
}
const stepsFrom = (now: Date, steps: number) => new Date(now.getTime() + steps * STEP_MS);

/** Waits for the next 30 s step to begin (and a second more). */
async function startOfNextStep(): Promise<Date> {
  await new Promise((resolve) => setTimeout(resolve, STEP_MS - (Date.now() % STEP_MS) + 1_000));
  return new Date();
}

interface MfaStep {
  mfaRequired: true;
  mfaToken: string;
  methods: string[];
}

describe.skipIf(!services().postgres || !services().redis)("two-factor over HTTP (issue #19, must-hold 1)", () => {
  let stack: AuthStack;
  let url: string;

  beforeAll(async () => {
    stack = await startAuthStack();
    url = stack.servers[0]?.url ?? "";
  }, 60_000);
  afterAll(() => stack?.stop());

  const login = (email: string, password = PASSWORD) =>
    trpcCall<MfaStep | AuthResultBody>(url, "mutation", "auth.login", {
      email,
      password,
      refreshTokenTransport: "body",
    });
  const verify = (mfaToken: string, factor: { code: string } | { recoveryCode: string }) =>
    trpcCall<AuthResultBody>(url, "mutation", "auth.verifyMfa", { mfaToken, ...factor, refreshTokenTransport: "body" });
  const secondStep = async (email: string) => {
    const answer = await login(email);
    expect(answer.data).toMatchObject({ mfaRequired: true });
    return (answer.data as MfaStep).mfaToken;
  };
  const mfaEmails = (to: string) =>
    stack.smtp.accepted.filter((mail) => mail.to === to && mail.subject.includes("Two-factor"));

  /** Signs up, sets TOTP up and turns it on; resolves with the key the user's app holds. */
  async function withTotp(email: string) {
    const account = await signUp(stack, email);
    const auth = bearer(account.accessToken);
    const setup = await trpcCall<{ secret: string; otpauthUri: string; qrSvg: string }>(
      url,
      "mutation",
      "mfa.totp.setup",
      undefined,
      auth,
    );
    const secret = setup.data?.secret ?? "";
    // The code of the step before (accepted, ±1), so the current step's code is still unused.
    const now = await steadyStep(3_000);
    const enabled = await trpcCall<{ recoveryCodes: string[] }>(
      url,
      "mutation",
      "mfa.totp.enable",
      { code: totpCodeAt(secret, stepsFrom(now, -1)) },
      auth,
    );
    expect(enabled.status).toBe(200);
    return { account, auth, secret, recoveryCodes: enabled.data?.recoveryCodes ?? [] };
  }

  it("turns on only with a right code, shows 10 recovery codes once, and emails the owner", async () => {
    const email = "totp-on@example.test";
    const account = await signUp(stack, email);
    const auth = bearer(account.accessToken);
    const setup = await trpcCall<{ secret: string; otpauthUri: string; qrSvg: string }>(
      url,
      "mutation",
      "mfa.totp.setup",
      undefined,
      auth,
    );
    expect(setup.status).toBe(200);
    expect(setup.data?.otpauthUri).toContain(`secret=${setup.data?.secret}`);
    expect(setup.data?.qrSvg).toContain("<svg");
    const now = await steadyStep(3_000);
    const wrong = await trpcCall(
      url,
      "mutation",
      "mfa.totp.enable",
      { code: totpCodeAt(setup.data?.secret ?? "", stepsFrom(now, 5)) },
      auth,
    );
    expect(wrong.status).toBe(401);
    expect(wrong.error?.data.appCode).toBe("MFA_INVALID");
    // Not on: the password alone still signs in.
    expect((await login(email)).data).toHaveProperty("accessToken");

    const enabled = await trpcCall<{ recoveryCodes: string[] }>(
      url,
      "mutation",
      "mfa.totp.enable",
      { code: totpCodeAt(setup.data?.secret ?? "", now) },
      auth,
    );
    expect(enabled.data?.recoveryCodes).toHaveLength(10);
    const status = await trpcCall(url, "query", "mfa.status", undefined, auth);
    expect(status.data).toEqual({ totp: true, recoveryCodesLeft: 10, passkeys: [] });
    await expect.poll(() => mfaEmails(email).length, { timeout: 20_000 }).toBe(1);
    expect(mfaEmails(email)[0]?.text).toContain("turned on");
  });

  it("asks for a second step; a code works once; one step off works, two steps off does not", async () => {
    const email = "totp-steps@example.test";
    const { secret } = await withTotp(email);
    const answer = await login(email);
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ mfaRequired: true, mfaToken: expect.any(String), methods: ["totp", "recovery"] });
    // The password step opens no session and sets no cookie.
    expect(answer.headers.get("set-cookie")).toBeNull();

    // Enabling spent the code of the step before its own; from the next step on, the previous
    // step's code has not been used yet.
    const now = await startOfNextStep();
    const tryAt = async (steps: number) => {
      const mfaToken = await secondStep(email);
      return { mfaToken, answer: await verify(mfaToken, { code: totpCodeAt(secret, stepsFrom(now, steps)) }) };
    };
    for (const far of [-2, 2]) {
      const { answer: refused } = await tryAt(far);
      expect(refused.status).toBe(401);
      expect(refused.error?.data.appCode).toBe("MFA_INVALID");
    }
    expect((await tryAt(-1)).answer.status).toBe(200);
    expect((await tryAt(0)).answer.status).toBe(200);
    const next = await tryAt(1);
    expect(next.answer.status).toBe(200);
    const me = await trpcCall<{ email: string }>(
      url,
      "query",
      "auth.me",
      undefined,
      bearer(next.answer.data?.accessToken ?? ""),
    );
    expect(me.data?.email).toBe(email);
    // The same code again is refused, and so is a code of an earlier step.
    expect((await tryAt(1)).answer.error?.data.appCode).toBe("MFA_INVALID");
    expect((await tryAt(0)).answer.error?.data.appCode).toBe("MFA_INVALID");
    // A used mfaToken is spent.
    const again = await verify(next.mfaToken, { recoveryCode: "whatever-it-is" });
    expect(again.error?.data.appCode).toBe("TOKEN_INVALID");
  }, 90_000);

  it("takes each recovery code once", async () => {
    const email = "totp-recovery@example.test";
    const { recoveryCodes } = await withTotp(email);
    const code = recoveryCodes[0] ?? "";
    const first = await verify(await secondStep(email), { recoveryCode: code });
    expect(first.status).toBe(200);
    const second = await verify(await secondStep(email), { recoveryCode: code });
    expect(second.error?.data.appCode).toBe("MFA_INVALID");
    const other = await verify(await secondStep(email), { recoveryCode: recoveryCodes[1] ?? "" });
    expect(other.status).toBe(200);
  });

  it("locks the account after 10 wrong codes, like 10 wrong passwords, and emails the unlock link", async () => {
    const email = "totp-lock@example.test";
    const { secret } = await withTotp(email);
    const mfaToken = await secondStep(email);
    for (let attempt = 0; attempt < 10; attempt++) {
      const refused = await verify(mfaToken, { recoveryCode: `not-a-code-${attempt}` });
      expect(refused.error?.data.appCode).toBe("MFA_INVALID");
    }
    await expect
      .poll(
        () => stack.smtp.accepted.some((mail) => mail.to === email && mail.text.includes("/unlock-account?token=")),
        {
          timeout: 20_000,
        },
      )
      .toBe(true);
    // Locked: the right code on the open step and the right password are both refused.
    const rightCode = await verify(mfaToken, { code: totpCodeAt(secret, new Date()) });
    expect(rightCode.status).toBe(401);
    const password = await login(email);
    expect(password.error?.data.appCode).toBe("INVALID_CREDENTIALS");
  });

  it("turns off only with the password and a code, emailing the owner; the password grant refuses such accounts", async () => {
    const email = "totp-off@example.test";
    const { auth, secret } = await withTotp(email);

    const grant = await fetch(new URL("/oauth/token", url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "password", username: email, password: PASSWORD }),
    });
    expect(grant.status).toBe(400);
    expect(await grant.json()).toEqual({
      error: "invalid_grant",
      error_description: expect.stringContaining("two-factor"),
      app_code: "MFA_REQUIRED",
    });

    const now = await steadyStep();
    const code = totpCodeAt(secret, stepsFrom(now, 1));
    const noPassword = await trpcCall(url, "mutation", "mfa.totp.disable", { password: "wrong password!", code }, auth);
    expect(noPassword.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    const noCode = await trpcCall(url, "mutation", "mfa.totp.disable", { password: PASSWORD, code: "000000" }, auth);
    expect(noCode.error?.data.appCode).toBe("MFA_INVALID");
    const off = await trpcCall(url, "mutation", "mfa.totp.disable", { password: PASSWORD, code }, auth);
    expect(off.data).toEqual({ status: "ok" });
    await expect.poll(() => mfaEmails(email).length, { timeout: 20_000 }).toBe(2);
    // The two notices go through the email queue, which does not keep their order.
    expect(mfaEmails(email).map((notice) => notice.text)).toContainEqual(expect.stringContaining("turned off"));
    expect((await login(email)).data).toHaveProperty("accessToken");
  });
});
