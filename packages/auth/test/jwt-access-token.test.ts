import { createHmac, createPublicKey, sign as signEd25519 } from "node:crypto";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AccessTokenClaims,
  createKeyRing,
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  generateSigningKey,
  type KeyRing,
  type SigningKey,
  signAccessToken,
  TokenError,
  verifyAccessToken,
} from "../src/jwt/index.ts";
import { hashPassword } from "../src/password/index.ts";

const audience = "tidings-api";
const issuer = "https://auth.tidings.test";
const options = { issuer, audience, ttlSeconds: DEFAULT_ACCESS_TOKEN_TTL_SECONDS };
const subject = { userId: "user-1", sessionId: "session-1" };

let key: SigningKey;
let ring: KeyRing;

beforeAll(async () => {
  key = await generateSigningKey();
  ring = await createKeyRing([key]);
});

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const decodeSegment = (segment: string | undefined) =>
  JSON.parse(Buffer.from(segment ?? "", "base64url").toString("utf8")) as Record<string, unknown>;

function validClaims(now = new Date()) {
  const iat = Math.floor(now.getTime() / 1000);
  return { iss: issuer, aud: audience, sub: "user-1", sid: "session-1", jti: "j", iat, exp: iat + 900 };
}

/** Verifies and expects a refusal; the message must not give the token away. */
async function refusal(token: string, now?: Date, verifier: KeyRing = ring): Promise<TokenError> {
  const error = await verifyAccessToken(verifier, token, { issuer, audience }, now).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TokenError);
  const tokenError = error as TokenError;
  for (const segment of token.split(".").filter((part) => part.length > 8)) {
    expect(tokenError.message).not.toContain(segment);
  }
  if (token.length > 8) expect(tokenError.message).not.toContain(token);
  expect(tokenError).not.toHaveProperty("cause");
  return tokenError;
}

describe("signAccessToken and verifyAccessToken", () => {
  it("round-trip the user and session", async () => {
    const { token, jti, expiresAt } = await signAccessToken(ring, subject, options);
    const claims = await verifyAccessToken(ring, token, { issuer, audience });
    expect(claims).toEqual<AccessTokenClaims>({
      sub: "user-1",
      sid: "session-1",
      jti,
      iat: expect.any(Number),
      exp: expiresAt.getTime() / 1000,
    });
  });

  it("write an EdDSA at+jwt header with the signing kid and every required claim", async () => {
    const now = new Date("2026-05-05T10:00:00.400Z");
    const { token, jti, expiresAt } = await signAccessToken(ring, subject, { ...options, ttlSeconds: 600 }, now);
    const [header, payload] = token.split(".");
    expect(decodeSegment(header)).toEqual({ alg: "EdDSA", kid: key.kid, typ: "at+jwt" });
    const iat = Date.parse("2026-05-05T10:00:00Z") / 1000;
    expect(decodeSegment(payload)).toEqual({
      iss: issuer,
      aud: audience,
      sub: "user-1",
      sid: "session-1",
      jti,
      iat,
      exp: iat + 600,
    });
    expect(expiresAt).toEqual(new Date((iat + 600) * 1000));
    expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("default to a 15-minute lifetime and a fresh jti per token", async () => {
    expect(DEFAULT_ACCESS_TOKEN_TTL_SECONDS).toBe(900);
    const now = new Date();
    const first = await signAccessToken(ring, subject, options, now);
    const second = await signAccessToken(ring, subject, options, now);
    expect(first.expiresAt.getTime() - Math.floor(now.getTime() / 1000) * 1000).toBe(900_000);
    expect(first.jti).not.toBe(second.jti);
  });

  it("sign without a turn on the libuv pool, so a token never queues behind argon2 work", async () => {
    let hashed = 0;
    const busy = Array.from({ length: 8 }, () => hashPassword("a pool-filling passphrase").then(() => hashed++));
    const { token } = await signAccessToken(ring, subject, options);
    expect(hashed).toBe(0);
    await expect(verifyAccessToken(ring, token, { issuer, audience })).resolves.toMatchObject({ sid: "session-1" });
    await Promise.all(busy);
  });

  it("refuse a lifetime that is not a positive number of seconds", async () => {
    for (const ttlSeconds of [0, -1, 1.5, Number.NaN]) {
      await expect(signAccessToken(ring, subject, { ...options, ttlSeconds })).rejects.toThrow(/ttlSeconds/);
    }
  });
});

describe("expiry", () => {
  it("reports TOKEN_EXPIRED once exp has passed, beyond the 5 s tolerance", async () => {
    const signedAt = new Date("2026-05-05T10:00:00Z");
    const { token, expiresAt } = await signAccessToken(ring, subject, { ...options, ttlSeconds: 60 }, signedAt);
    const pastExp = (seconds: number) => new Date(expiresAt.getTime() + seconds * 1000);
    await expect(verifyAccessToken(ring, token, { issuer, audience }, pastExp(4))).resolves.toMatchObject({
      sub: "user-1",
    });
    expect((await refusal(token, pastExp(5))).code).toBe("TOKEN_EXPIRED");
    expect((await refusal(token, pastExp(3600))).code).toBe("TOKEN_EXPIRED");
  });

  it("reports a genuinely expired token with the real clock too", async () => {
    const { token } = await signAccessToken(
      ring,
      subject,
      { ...options, ttlSeconds: 60 },
      new Date(Date.now() - 3600_000),
    );
    const error = await refusal(token);
    expect(error.code).toBe("TOKEN_EXPIRED");
    expect(error.message).toBe("access token expired");
  });

  it("keeps TOKEN_INVALID for an expired token that is also forged or misaddressed", async () => {
    const past = new Date(Date.now() - 3600_000);
    const { token } = await signAccessToken(ring, subject, { ...options, ttlSeconds: 60 }, past);
    const [header, payload] = token.split(".");
    expect((await refusal(`${header}.${payload}.${"A".repeat(86)}`)).code).toBe("TOKEN_INVALID");
    const foreign = await createKeyRing([{ ...(await generateSigningKey()), kid: key.kid }]);
    const forged = await signAccessToken(foreign, subject, { ...options, ttlSeconds: 60 }, past);
    expect((await refusal(forged.token)).code).toBe("TOKEN_INVALID");
    const elsewhere = await signAccessToken(ring, subject, { ...options, ttlSeconds: 60, audience: "other" }, past);
    expect((await refusal(elsewhere.token)).code).toBe("TOKEN_INVALID");
  });
});

describe("S12: forged and misused tokens are TOKEN_INVALID", () => {
  it('refuses alg "none"', async () => {
    for (const alg of ["none", "None", "NONE"]) {
      const token = `${b64url({ alg, kid: key.kid, typ: "at+jwt" })}.${b64url(validClaims())}.`;
      expect((await refusal(token)).code).toBe("TOKEN_INVALID");
    }
  });

  it("refuses HS256 signed with the public key (key confusion)", async () => {
    const x = key.publicJwk.x ?? "";
    const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    const secrets = [
      publicKey.export({ format: "pem", type: "spki" }),
      publicKey.export({ format: "der", type: "spki" }),
      Buffer.from(x, "base64url"),
      x,
      JSON.stringify(key.publicJwk),
    ];
    for (const secret of secrets) {
      const signingInput = `${b64url({ alg: "HS256", kid: key.kid, typ: "at+jwt" })}.${b64url(validClaims())}`;
      const mac = createHmac("sha256", secret).update(signingInput).digest("base64url");
      const error = await refusal(`${signingInput}.${mac}`);
      expect(error.code).toBe("TOKEN_INVALID");
      expect(error.reason).toBe("algorithm not allowed");
    }
  });

  it("refuses the fully-specified Ed25519 algorithm name, since only EdDSA is configured", async () => {
    const signingInput = `${b64url({ alg: "Ed25519", kid: key.kid, typ: "at+jwt" })}.${b64url(validClaims())}`;
    const signature = signEd25519(null, Buffer.from(signingInput), {
      key: { ...key.privateJwk },
      format: "jwk",
    }).toString("base64url");
    expect((await refusal(`${signingInput}.${signature}`)).code).toBe("TOKEN_INVALID");
  });

  it("refuses a changed payload", async () => {
    const { token } = await signAccessToken(ring, subject, options);
    const [header, payload, signature] = token.split(".");
    const promoted = b64url({ ...decodeSegment(payload), sub: "admin" });
    expect((await refusal(`${header}.${promoted}.${signature}`)).reason).toBe("bad signature");
    const later = b64url({ ...decodeSegment(payload), exp: 9_999_999_999 });
    expect((await refusal(`${header}.${later}.${signature}`)).code).toBe("TOKEN_INVALID");
    for (const index of [0, 10, (payload?.length ?? 0) - 2]) {
      const bytes = Buffer.from(payload ?? "", "base64url");
      bytes[index % bytes.length] = (bytes[index % bytes.length] ?? 0) ^ 0x01;
      expect((await refusal(`${header}.${bytes.toString("base64url")}.${signature}`)).code).toBe("TOKEN_INVALID");
    }
  });

  it("refuses a changed header or signature", async () => {
    const { token } = await signAccessToken(ring, subject, options);
    const [header, payload, signature] = token.split(".");
    const retyped = b64url({ ...decodeSegment(header), typ: "JWT" });
    expect((await refusal(`${retyped}.${payload}.${signature}`)).code).toBe("TOKEN_INVALID");
    const bytes = Buffer.from(signature ?? "", "base64url");
    bytes[5] = (bytes[5] ?? 0) ^ 0x80;
    expect((await refusal(`${header}.${payload}.${bytes.toString("base64url")}`)).reason).toBe("bad signature");
  });

  it("refuses a token from a key outside the ring, with its own kid or ours", async () => {
    const stranger = await generateSigningKey();
    const strangerRing = await createKeyRing([stranger]);
    const unknownKid = await signAccessToken(strangerRing, subject, options);
    expect((await refusal(unknownKid.token)).reason).toBe("unknown kid");
    const impostor = await createKeyRing([{ ...stranger, kid: key.kid }]);
    const borrowedKid = await signAccessToken(impostor, subject, options);
    expect((await refusal(borrowedKid.token)).reason).toBe("bad signature");
  });

  it("refuses a token without a kid", async () => {
    const token = await new SignJWT({ sid: "session-1" })
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt" })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject("user-1")
      .setJti("j")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(ring.signingCryptoKey);
    expect((await refusal(token)).reason).toBe("no kid");
  });

  it("refuses another issuer or audience", async () => {
    for (const misaddressed of [{ issuer: "https://evil.test" }, { audience: "other-api" }]) {
      const { token } = await signAccessToken(ring, subject, { ...options, ...misaddressed });
      expect((await refusal(token)).code).toBe("TOKEN_INVALID");
    }
    const { token } = await signAccessToken(ring, subject, options);
    for (const expected of [
      { issuer: "https://evil.test", audience },
      { issuer, audience: "other-api" },
    ]) {
      await expect(verifyAccessToken(ring, token, expected)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    }
  });

  it("refuses our own signature on a JWT that is not a well-formed access token", async () => {
    const signWith = (header: Record<string, unknown>, claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", kid: key.kid, ...header }).sign(ring.signingCryptoKey);
    const { sid: _sid, ...withoutSid } = validClaims();
    const { exp: _exp, ...withoutExp } = validClaims();
    const tokens = [
      await signWith({ typ: "JWT" }, validClaims()),
      await signWith({}, validClaims()),
      await signWith({ typ: "at+jwt" }, withoutSid),
      await signWith({ typ: "at+jwt" }, withoutExp),
      await signWith({ typ: "at+jwt" }, { ...validClaims(), sid: 42 }),
      await signWith({ typ: "at+jwt" }, { ...validClaims(), sub: "" }),
      await signWith({ typ: "at+jwt" }, { ...validClaims(), nbf: validClaims().iat + 3600 }),
    ];
    for (const token of tokens) {
      expect((await refusal(token)).code).toBe("TOKEN_INVALID");
    }
  });

  it("refuses garbage", async () => {
    for (const token of ["", "a.b", "a.b.c", "...", "x".repeat(10_000), `${b64url({ alg: "EdDSA" })}.e30.`]) {
      expect((await refusal(token)).code).toBe("TOKEN_INVALID");
    }
  });
});

describe("key rotation", () => {
  it("keeps tokens of an older key valid once a newer key signs", async () => {
    const oldKey = await generateSigningKey(new Date("2026-01-01Z"));
    const before = await createKeyRing([oldKey]);
    const oldToken = await signAccessToken(before, subject, options);

    const newKey = await generateSigningKey(new Date("2026-02-01Z"));
    const rotated = await createKeyRing([oldKey, newKey]);
    expect(rotated.signingKey.kid).toBe(newKey.kid);
    const newToken = await signAccessToken(rotated, subject, options);
    expect(decodeSegment(newToken.token.split(".")[0]).kid).toBe(newKey.kid);

    await expect(verifyAccessToken(rotated, oldToken.token, { issuer, audience })).resolves.toMatchObject({
      jti: oldToken.jti,
    });
    await expect(verifyAccessToken(rotated, newToken.token, { issuer, audience })).resolves.toMatchObject({
      jti: newToken.jti,
    });
    expect(rotated.jwks().keys.map((jwk) => jwk.kid)).toEqual([oldKey.kid, newKey.kid]);

    const retired = await createKeyRing([newKey]);
    expect((await refusal(oldToken.token, undefined, retired)).reason).toBe("unknown kid");
  });
});
