import { createHash } from "node:crypto";
import { sql } from "@tidings/db";
import { type AuthResultBody, type AuthStack, startAuthStack, tokenFromEmail, trpcCall } from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// S1, S2 and S3 over HTTP: the policy is observed through `auth.register`, the accepted password
// through email verification and `auth.login`, and the stored hash through the database.

/** Deterministic, high-entropy text of `length` characters (nothing a dictionary would know). */
function strongText(length: number, seed: string): string {
  let text = "";
  for (let round = 0; text.length < length; round++) {
    text += createHash("sha512").update(`${seed}:${round}`).digest("base64url");
  }
  return text.slice(0, length);
}

/** 64 different emoji, in a scrambled order so that no run of code points forms a sequence. */
function emojiPassphrase(): string {
  const codePoints: number[] = [];
  for (let index = 0; codePoints.length < 64; index++) {
    codePoints.push(0x1f300 + ((index * 37 + 11) % 0x300));
  }
  return String.fromCodePoint(...codePoints);
}

const reasonCodes = (data: Record<string, unknown> | undefined): string[] => {
  const reasons = data?.reasons;
  if (!Array.isArray(reasons)) return [];
  return reasons.map((reason: unknown) =>
    typeof reason === "string" ? reason : String((reason as { code?: unknown }).code),
  );
};

describe.skipIf(!services().postgres || !services().redis)("password policy (S1, S2, S3)", () => {
  let stack: AuthStack;
  let url: string;

  beforeAll(async () => {
    stack = await startAuthStack();
    url = stack.servers[0]?.url ?? "";
  });
  afterAll(() => stack?.stop());

  const register = (email: string, password: string, displayName?: string) =>
    trpcCall(url, "mutation", "auth.register", { email, password, ...(displayName ? { displayName } : {}) });

  const storedHash = async (email: string): Promise<string | null | undefined> => {
    const { rows } = await sql<{ password_hash: string | null }>`
      select password_hash from users where email_normalized = ${email.toLowerCase()}
    `.execute(stack.testDb.handle.db);
    return rows[0]?.password_hash;
  };

  const expectWeak = async (email: string, password: string, expected: string[], exact = true) => {
    const answer = await register(email, password);
    expect(answer.status).toBe(400);
    expect(answer.data).toBeUndefined();
    expect(answer.error?.data.code).toBe("BAD_REQUEST");
    expect(answer.error?.data.appCode).toBe("WEAK_PASSWORD");
    const codes = reasonCodes(answer.error?.data);
    if (exact) expect(codes.sort()).toEqual([...expected].sort());
    else expect(codes).toEqual(expect.arrayContaining(expected));
    // Each reason also says why in words the user can read.
    for (const reason of (answer.error?.data.reasons ?? []) as unknown[]) {
      if (typeof reason === "object" && reason !== null) {
        expect((reason as { message?: unknown }).message).toEqual(expect.any(String));
      }
    }
    // A refused registration leaves no account behind.
    expect(await storedHash(email)).toBeUndefined();
    return codes;
  };

  it("refuses 11 characters as too_short", async () => {
    const password = strongText(11, "short");
    expect([...password]).toHaveLength(11);
    await expectWeak("short@example.test", password, ["too_short"]);
  });

  it("refuses 129 characters as too_long (and does not truncate them into acceptance)", async () => {
    const password = strongText(129, "long");
    expect([...password]).toHaveLength(129);
    await expectWeak("long@example.test", password, ["too_long"]);
  });

  it("refuses password1234 as common", async () => {
    await expectWeak("common@example.test", "password1234", ["common"]);
  });

  it("refuses the user's own email as the password (contains_personal_info)", async () => {
    const email = "policy-owner@example.test";
    await expectWeak(email, email, ["contains_personal_info"], false);
    // Case and surrounding text do not hide it.
    await expectWeak(email, `My ${email.toUpperCase()} is safe`, ["contains_personal_info"], false);
  });

  it("accepts the boundaries: 12 and 128 characters", async () => {
    for (const [email, length] of [
      ["twelve@example.test", 12],
      ["max-length@example.test", 128],
    ] as const) {
      const answer = await register(email, strongText(length, email));
      expect(answer.error).toBeUndefined();
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({ status: "verification_sent" });
    }
  });

  it("counts the length after NFKC normalisation", async () => {
    // 11 code points typed, 13 after NFKC (the ligature "ﬃ" becomes "ffi"): long enough.
    const ligature = `${strongText(10, "ligature")}\ufb03`;
    expect([...ligature]).toHaveLength(11);
    expect([...ligature.normalize("NFKC")]).toHaveLength(13);
    const accepted = await register("ligature@example.test", ligature);
    expect(accepted.error).toBeUndefined();
    expect(accepted.data).toEqual({ status: "verification_sent" });

    // 12 code points typed, 11 after NFKC ("e" + combining acute becomes "é"): too short.
    const combining = `${strongText(10, "combining")}e\u0301`;
    expect([...combining]).toHaveLength(12);
    expect([...combining.normalize("NFKC")]).toHaveLength(11);
    await expectWeak("combining@example.test", combining, ["too_short"]);
  });

  it("accepts a 64-emoji passphrase, signs in with it after verification, and stores argon2id m=19456,t=2,p=1", async () => {
    const email = "emoji@example.test";
    const password = emojiPassphrase();
    expect([...password]).toHaveLength(64);
    expect(new Set(password).size).toBe(64);
    expect(password.normalize("NFKC")).toBe(password);

    const registered = await register(email, password, "Emoji Fan");
    expect(registered.error).toBeUndefined();
    expect(registered.status).toBe(200);
    expect(registered.data).toEqual({ status: "verification_sent" });

    const token = await tokenFromEmail(stack.smtp, email, "verify-email");
    const verified = await trpcCall(url, "mutation", "auth.verifyEmail", { token, refreshTokenTransport: "body" });
    expect(verified.status).toBe(200);

    const login = await trpcCall<AuthResultBody>(url, "mutation", "auth.login", {
      email,
      password,
      refreshTokenTransport: "body",
    });
    expect(login.error).toBeUndefined();
    expect(login.status).toBe(200);
    expect(login.data?.user).toMatchObject({ email, emailVerified: true });
    expect(login.data?.accessToken).toEqual(expect.any(String));

    // Never truncated: a prefix or an extension of the passphrase is a different password.
    const chars = [...password];
    for (const wrong of [chars.slice(0, 63).join(""), chars.slice(0, 32).join(""), `${password}!`]) {
      const refused = await trpcCall(url, "mutation", "auth.login", { email, password: wrong });
      expect(refused.status).toBe(401);
      expect(refused.error?.data.appCode).toBe("INVALID_CREDENTIALS");
    }

    const hash = await storedHash(email);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  });
});
