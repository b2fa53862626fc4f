import { type CryptoKey, errors, type JWTHeaderParameters, type JWTPayload, jwtVerify } from "jose";
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, type AccessTokenVerifyOptions } from "./access-token-format.ts";
import { SIGNING_ALGORITHM } from "./ed25519-jwk.ts";
import type { KeyRing } from "./key-ring.ts";
import { TokenError } from "./token-error.ts";

/** Absorbs small clock skew between the servers that sign and the ones that verify. */
export const CLOCK_TOLERANCE_SECONDS = 5;

// Our tokens are a few hundred bytes; refusing huge input spares parsing attacker-sized JSON.
const MAX_TOKEN_LENGTH = 8192;

const REQUIRED_CLAIMS = ["iss", "aud", "sub", "sid", "jti", "iat", "exp"];

/** Verifies an access token: EdDSA from a key in the ring, this issuer and audience, not expired. Throws TokenError. */
export async function verifyAccessToken(
  ring: KeyRing,
  token: string,
  options: AccessTokenVerifyOptions,
  now: Date = new Date(),
): Promise<AccessTokenClaims> {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) {
    throw new TokenError("TOKEN_INVALID", "malformed");
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, (header) => verificationKeyFor(ring, header), {
      // The allow-list is what stops "none" and HS256-with-the-public-key before any key is used.
      algorithms: [SIGNING_ALGORITHM],
      issuer: options.issuer,
      audience: options.audience,
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: REQUIRED_CLAIMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: now,
    }));
  } catch (error) {
    throw toTokenError(error);
  }
  return accessTokenClaims(payload);
}

function verificationKeyFor(ring: KeyRing, header: JWTHeaderParameters): CryptoKey {
  if (typeof header.kid !== "string") {
    throw new TokenError("TOKEN_INVALID", "no kid");
  }
  const key = ring.verificationKey(header.kid);
  if (key === undefined) {
    throw new TokenError("TOKEN_INVALID", "unknown kid");
  }
  return key;
}

// jose checks the signature before any claim, so JWTExpired implies an authentic token; its other
// errors are mapped to fixed reasons and not kept as causes, since a parse error can quote the token.
function toTokenError(error: unknown): TokenError {
  if (error instanceof TokenError) {
    return error;
  }
  if (error instanceof errors.JWTExpired && error.claim === "exp") {
    return new TokenError("TOKEN_EXPIRED", "exp passed");
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new TokenError("TOKEN_INVALID", `claim ${error.claim} ${error.reason}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new TokenError("TOKEN_INVALID", "bad signature");
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new TokenError("TOKEN_INVALID", "algorithm not allowed");
  }
  return new TokenError("TOKEN_INVALID", "malformed");
}

function accessTokenClaims(payload: JWTPayload): AccessTokenClaims {
  const { sub, sid, jti, iat, exp } = payload;
  if (!isNonEmptyString(sub) || !isNonEmptyString(sid) || !isNonEmptyString(jti)) {
    throw new TokenError("TOKEN_INVALID", "claims of the wrong type");
  }
  if (typeof iat !== "number" || typeof exp !== "number") {
    throw new TokenError("TOKEN_INVALID", "claims of the wrong type");
  }
  return { sub, sid, jti, iat, exp };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}
