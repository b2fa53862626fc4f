import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createKeyRing,
  generateSigningKey,
  parseSigningKeys,
  type SigningKey,
  serializeSigningKeys,
} from "../src/jwt/index.ts";

function privateEd25519Jwk(kid: string, extra: Record<string, unknown> = {}) {
  const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
  return { ...jwk, kid, ...extra };
}

function jwkSet(...keys: unknown[]): string {
  return JSON.stringify({ keys });
}

describe("generateSigningKey", () => {
  it("makes an Ed25519 EdDSA key pair labelled with its kid", async () => {
    const now = new Date("2026-03-01T12:00:00.750Z");
    const key = await generateSigningKey(now);
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key.createdAt).toEqual(new Date("2026-03-01T12:00:00Z"));
    for (const jwk of [key.privateJwk, key.publicJwk]) {
      expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig", kid: key.kid });
    }
    expect(key.privateJwk.d).toEqual(expect.any(String));
    expect(key.publicJwk).not.toHaveProperty("d");
  });

  it("gives each key its own kid", async () => {
    const [a, b] = await Promise.all([generateSigningKey(), generateSigningKey()]);
    expect(a.kid).not.toBe(b.kid);
  });
});

describe("parseSigningKeys", () => {
  it("reads what serializeSigningKeys writes", async () => {
    const keys = [await generateSigningKey(new Date("2026-01-01Z")), await generateSigningKey(new Date("2026-02-01Z"))];
    const parsed = parseSigningKeys(serializeSigningKeys(keys));
    expect(parsed).toEqual(keys);
  });

  it("takes createdAt from iat, else the epoch, and keeps only JWK members it knows", () => {
    const [dated, undated] = parseSigningKeys(
      jwkSet(privateEd25519Jwk("dated", { iat: 1_767_225_600, key_ops: ["sign"] }), privateEd25519Jwk("undated")),
    );
    expect(dated?.createdAt).toEqual(new Date("2026-01-01T00:00:00Z"));
    expect(dated?.privateJwk).not.toHaveProperty("iat");
    expect(dated?.privateJwk).not.toHaveProperty("key_ops");
    expect(dated?.publicJwk).toEqual({
      kty: "OKP",
      crv: "Ed25519",
      x: dated?.privateJwk.x,
      kid: "dated",
      alg: "EdDSA",
      use: "sig",
    });
    expect(undated?.createdAt).toEqual(new Date(0));
  });

  const good = privateEd25519Jwk("k1");
  const { d: _d, ...publicOnly } = good;
  const other = privateEd25519Jwk("k2");
  const rsa = {
    ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }),
    kid: "rsa",
  };
  const cases: [string, string, RegExp][] = [
    ["text that is not JSON", "not json", /not valid JSON/],
    ["JSON that is not a JWK Set", JSON.stringify([good]), /expected a JWK Set/],
    ["an empty JWK Set", jwkSet(), /holds no keys/],
    ["a member that is not an object", jwkSet("k1"), /keys\[0\] is not a JSON object/],
    ["a key without kid", jwkSet({ ...good, kid: undefined }), /keys\[0\] has no "kid"/],
    ["an RSA key", jwkSet(rsa), /kid "rsa"\) is not an Ed25519 key/],
    ["an X25519 key", jwkSet({ ...good, crv: "X25519" }), /is not an Ed25519 key/],
    ["a public key", jwkSet(publicOnly), /is not an Ed25519 private key: "d" is missing/],
    ["a key without x", jwkSet({ ...good, x: undefined }), /"x" is missing/],
    ["a d that is not a key", jwkSet({ ...good, d: "AAAA" }), /"d" is not a valid Ed25519 private key/],
    ["an x of another key", jwkSet({ ...good, x: other.x }), /"x" is not the public key of "d"/],
    ["an alg other than EdDSA", jwkSet({ ...good, alg: "HS256" }), /"alg" other than "EdDSA"/],
    ["a use other than sig", jwkSet({ ...good, use: "enc" }), /"use" other than "sig"/],
    ["an iat that is not seconds", jwkSet({ ...good, iat: "2026-01-01" }), /"iat" that is not/],
    ["a repeated kid", jwkSet(good, { ...other, kid: "k1" }), /keys\[1\] repeats kid "k1"/],
  ];
  it.each(cases)("refuses %s with a message naming the problem", (_, json, message) => {
    expect(() => parseSigningKeys(json)).toThrow(message);
  });

  it("never echoes private key material in its errors", () => {
    for (const json of [jwkSet({ ...good, x: other.x }), `${jwkSet(good)}!`, jwkSet({ ...good, kty: good.d })]) {
      expect(() => parseSigningKeys(json)).toThrow();
      try {
        parseSigningKeys(json);
      } catch (error) {
        expect(String(error)).not.toContain(good.d);
      }
    }
  });
});

describe("createKeyRing", () => {
  const at = (iso: string) => generateSigningKey(new Date(iso));

  it("signs with the newest key and publishes every public key, without private members", async () => {
    const keys = [await at("2026-01-01Z"), await at("2026-03-01Z"), await at("2026-02-01Z")];
    const ring = await createKeyRing(keys);
    expect(ring.signingKey).toBe(keys[1]);
    const { keys: published } = ring.jwks();
    expect(published.map((jwk) => jwk.kid)).toEqual(keys.map((key) => key.kid));
    for (const jwk of published) {
      expect(Object.keys(jwk).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x"]);
      expect(jwk).not.toHaveProperty("d");
    }
    expect(JSON.stringify(ring.jwks())).not.toMatch(/"d"/);
  });

  it("publishes no private member even when handed a public JWK that carries one", async () => {
    const key = await generateSigningKey();
    const ring = await createKeyRing([{ ...key, publicJwk: key.privateJwk }]);
    expect(ring.jwks().keys[0]).not.toHaveProperty("d");
  });

  it("hands out copies of the JWKS, so callers cannot change what is published", async () => {
    const ring = await createKeyRing([await generateSigningKey()]);
    const first = ring.jwks().keys[0];
    if (first) first.d = "leak";
    expect(ring.jwks().keys[0]).not.toHaveProperty("d");
  });

  it("imports every key once and finds it by kid", async () => {
    const keys = [await at("2026-01-01Z"), await at("2026-02-01Z")];
    const ring = await createKeyRing(keys);
    for (const key of keys) {
      expect(ring.verificationKey(key.kid)).toBe(ring.verificationKey(key.kid));
      expect(ring.verificationKey(key.kid)?.type).toBe("public");
    }
    expect(ring.verificationKey("nope")).toBeUndefined();
    expect(ring.signingCryptoKey.type).toBe("private");
    expect(ring.signingCryptoKey.extractable).toBe(false);
  });

  it("refuses no keys, a repeated kid, a tie for newest, and mismatched halves", async () => {
    const a = await at("2026-01-01Z");
    const b = await at("2026-01-01Z");
    await expect(createKeyRing([])).rejects.toThrow(/at least one/);
    await expect(createKeyRing([a, { ...b, kid: a.kid }])).rejects.toThrow(/more than once/);
    await expect(createKeyRing([a, b])).rejects.toThrow(/share the newest createdAt/);
    await expect(createKeyRing([{ ...a, publicJwk: b.publicJwk }])).rejects.toThrow(/different keys/);
  });

  it("accepts equal createdAt among older keys", async () => {
    const keys: SigningKey[] = [await at("2026-01-01Z"), await at("2026-01-01Z"), await at("2026-02-01Z")];
    expect((await createKeyRing(keys)).signingKey).toBe(keys[2]);
  });
});
