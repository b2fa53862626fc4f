import { createPrivateKey, createPublicKey } from "node:crypto";
import { ed25519PrivateJwk, ed25519PublicJwk, SIGNING_ALGORITHM } from "./ed25519-jwk.ts";
import type { SigningKey } from "./signing-key.ts";

const EXPECTED_SHAPE = 'a JWK Set {"keys":[...]} of private Ed25519 JWKs';

/**
 * Reads the signing keys from the environment: a JWK Set of private OKP Ed25519 JWKs, each with a kid
 * and an optional "iat" (seconds) giving its creation time (epoch 0 when absent).
 * Error messages name the key by index and kid but never echo key material, since they end up in logs.
 */
export function parseSigningKeys(json: string): SigningKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    // The parser's own message quotes the input, which here is private key material.
    throw new Error(`signing keys are not valid JSON; expected ${EXPECTED_SHAPE}`);
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.keys)) {
    throw new Error(`signing keys: expected ${EXPECTED_SHAPE}`);
  }
  if (parsed.keys.length === 0) {
    throw new Error("signing keys: the JWK Set holds no keys");
  }
  const seenKids = new Set<string>();
  return parsed.keys.map((member: unknown, index) => {
    const key = parseSigningKey(member, index);
    if (seenKids.has(key.kid)) {
      throw new Error(`signing keys: keys[${index}] repeats kid ${JSON.stringify(key.kid)}; every kid must be unique`);
    }
    seenKids.add(key.kid);
    return key;
  });
}

/** The environment form of keys, as read by {@link parseSigningKeys}. */
export function serializeSigningKeys(keys: SigningKey[]): string {
  return JSON.stringify({
    keys: keys.map((key) => ({ ...key.privateJwk, iat: Math.floor(key.createdAt.getTime() / 1000) })),
  });
}

function parseSigningKey(member: unknown, index: number): SigningKey {
  let label = `signing keys: keys[${index}]`;
  if (!isRecord(member)) {
    throw new Error(`${label} is not a JSON object`);
  }
  const { kid, kty, crv, x, d, alg, use, iat } = member;
  if (typeof kid !== "string" || kid.length === 0) {
    throw new Error(`${label} has no "kid"`);
  }
  label += ` (kid ${JSON.stringify(kid)})`;
  if (kty !== "OKP" || crv !== "Ed25519") {
    throw new Error(`${label} is not an Ed25519 key: expected kty "OKP" and crv "Ed25519"`);
  }
  if (typeof d !== "string") {
    throw new Error(`${label} is not an Ed25519 private key: "d" is missing`);
  }
  if (typeof x !== "string") {
    throw new Error(`${label} is not an Ed25519 private key: "x" is missing`);
  }
  if (alg !== undefined && alg !== SIGNING_ALGORITHM) {
    throw new Error(`${label} has an "alg" other than "${SIGNING_ALGORITHM}"`);
  }
  if (use !== undefined && use !== "sig") {
    throw new Error(`${label} has a "use" other than "sig"`);
  }
  if (iat !== undefined && (typeof iat !== "number" || !Number.isFinite(iat) || iat < 0)) {
    throw new Error(`${label} has an "iat" that is not a non-negative number of seconds`);
  }
  assertKeyPairMatches(label, x, d);
  return {
    kid,
    createdAt: new Date((iat ?? 0) * 1000),
    privateJwk: ed25519PrivateJwk(kid, x, d),
    publicJwk: ed25519PublicJwk(kid, x),
  };
}

// node:crypto accepts any "x" next to a valid "d"; a mismatch would only surface later as tokens
// that no verifier accepts, so it is caught here at startup instead.
function assertKeyPairMatches(label: string, x: string, d: string): void {
  let derivedX: string | undefined;
  try {
    const privateKey = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", x, d }, format: "jwk" });
    derivedX = createPublicKey(privateKey).export({ format: "jwk" }).x;
  } catch {
    throw new Error(`${label} is not an Ed25519 private key: "d" is not a valid Ed25519 private key`);
  }
  if (derivedX !== x) {
    throw new Error(`${label} is inconsistent: "x" is not the public key of "d"`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
