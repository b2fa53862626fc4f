import { randomBytes, sign } from "node:crypto";
import { ACCESS_TOKEN_TYPE, type AccessTokenOptions } from "./access-token-format.ts";
import { SIGNING_ALGORITHM } from "./ed25519-jwk.ts";
import type { KeyRing } from "./key-ring.ts";

export async function signAccessToken(
  ring: KeyRing,
  subject: { userId: string; sessionId: string },
  options: AccessTokenOptions,
  now: Date = new Date(),
): Promise<{ token: string; jti: string; expiresAt: Date }> {
  if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds <= 0) {
    throw new Error("access token ttlSeconds must be a positive whole number of seconds");
  }
  if (subject.userId.length === 0 || subject.sessionId.length === 0) {
    throw new Error("access token needs a non-empty userId and sessionId");
  }
  const jti = randomBytes(16).toString("base64url");
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + options.ttlSeconds;
  const header = { alg: SIGNING_ALGORITHM, kid: ring.signingKey.kid, typ: ACCESS_TOKEN_TYPE };
  const claims = {
    iss: options.issuer,
    aud: options.audience,
    sub: subject.userId,
    sid: subject.sessionId,
    jti,
    iat,
    exp,
  };
  // A JWS compact serialization (RFC 7515 §7.1) signed in place: Ed25519 takes ~30 µs here, while
  // WebCrypto (what jose uses) would send it through the libuv pool behind the argon2 work.
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign(null, Buffer.from(signingInput), ring.signingKeyObject).toString("base64url");
  const token = `${signingInput}.${signature}`;
  return { token, jti, expiresAt: new Date(exp * 1000) };
}

function base64url(json: string): string {
  return Buffer.from(json).toString("base64url");
}
