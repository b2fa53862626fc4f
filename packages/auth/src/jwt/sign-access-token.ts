import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
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
  const token = await new SignJWT({ sid: subject.sessionId })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: ring.signingKey.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(subject.userId)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(ring.signingCryptoKey);
  return { token, jti, expiresAt: new Date(exp * 1000) };
}
