export {
  ACCESS_TOKEN_TYPE,
  type AccessTokenClaims,
  type AccessTokenOptions,
  type AccessTokenVerifyOptions,
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
} from "./access-token-format.ts";
export { SIGNING_ALGORITHM } from "./ed25519-jwk.ts";
export { createKeyRing, type KeyRing } from "./key-ring.ts";
export { signAccessToken } from "./sign-access-token.ts";
export { generateSigningKey, type SigningKey } from "./signing-key.ts";
export { parseSigningKeys, serializeSigningKeys } from "./signing-keys-json.ts";
export { TokenError, type TokenErrorCode } from "./token-error.ts";
export { CLOCK_TOLERANCE_SECONDS, verifyAccessToken } from "./verify-access-token.ts";
