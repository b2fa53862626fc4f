import { KeyObject } from "node:crypto";
import { type CryptoKey, importJWK, type JWK } from "jose";
import { ed25519PrivateJwk, ed25519PublicJwk, SIGNING_ALGORITHM } from "./ed25519-jwk.ts";
import type { SigningKey } from "./signing-key.ts";

/** The keys in use: the newest signs, every key verifies, so tokens outlive a rotation until they expire. */
export interface KeyRing {
  readonly signingKey: SigningKey;
  /** The JWKS to publish: public members only, every key. */
  jwks(): { keys: JWK[] };
  /** The signing key, imported once so signing a token does not re-import it. */
  readonly signingCryptoKey: CryptoKey;
  /**
   * The same key for node:crypto's synchronous `sign`. WebCrypto signs on the libuv pool, where a
   * sign-in's token would queue behind every argon2 verification in flight.
   */
  readonly signingKeyObject: KeyObject;
  /** The imported public key for a kid, or undefined when the ring does not hold that kid. */
  verificationKey(kid: string): CryptoKey | undefined;
}

export async function createKeyRing(keys: SigningKey[]): Promise<KeyRing> {
  if (keys.length === 0) {
    throw new Error("a key ring needs at least one signing key");
  }
  const publicJwks = keys.map(publicJwkOf);
  const verificationKeys = new Map<string, CryptoKey>();
  for (const jwk of publicJwks) {
    if (verificationKeys.has(jwk.kid)) {
      throw new Error(`signing key kid ${JSON.stringify(jwk.kid)} appears more than once`);
    }
    verificationKeys.set(jwk.kid, await importJWK(jwk, SIGNING_ALGORITHM));
  }
  const signingKey = newestKey(keys);
  const signingCryptoKey = await importJWK(privateJwkOf(signingKey), SIGNING_ALGORITHM);
  return {
    signingKey,
    signingCryptoKey,
    signingKeyObject: KeyObject.from(signingCryptoKey),
    // Copies, so a caller editing the response cannot alter what later requests publish.
    jwks: () => ({ keys: publicJwks.map((jwk) => ({ ...jwk })) }),
    verificationKey: (kid) => verificationKeys.get(kid),
  };
}

function newestKey(keys: SigningKey[]): SigningKey {
  const [first, ...rest] = keys;
  if (first === undefined) {
    throw new Error("a key ring needs at least one signing key");
  }
  const newest = rest.reduce((a, b) => (b.createdAt.getTime() > a.createdAt.getTime() ? b : a), first);
  // Two keys tied for newest (typically both without "iat") would make the signer depend on list order.
  const tied = keys.filter((key) => key !== newest && key.createdAt.getTime() === newest.createdAt.getTime());
  if (tied.length > 0) {
    const kids = [newest, ...tied].map((key) => JSON.stringify(key.kid)).join(", ");
    throw new Error(`signing keys ${kids} share the newest createdAt; give them distinct "iat" so one signs`);
  }
  return newest;
}

function publicJwkOf(key: SigningKey) {
  const { x } = key.publicJwk;
  if (typeof x !== "string") {
    throw new Error(`signing key ${JSON.stringify(key.kid)} has no public "x"`);
  }
  return ed25519PublicJwk(key.kid, x);
}

function privateJwkOf(key: SigningKey) {
  const { x, d } = key.privateJwk;
  if (typeof d !== "string" || typeof x !== "string") {
    throw new Error(`signing key ${JSON.stringify(key.kid)} has no private "d" and "x"`);
  }
  if (x !== key.publicJwk.x) {
    throw new Error(`signing key ${JSON.stringify(key.kid)} has private and public JWKs of different keys`);
  }
  return ed25519PrivateJwk(key.kid, x, d);
}
