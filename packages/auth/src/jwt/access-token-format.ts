/** Access-token JWT type (RFC 9068), checked on verification so no other JWT of ours passes as one. */
export const ACCESS_TOKEN_TYPE = "at+jwt";

export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export interface AccessTokenOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessTokenVerifyOptions {
  issuer: string;
  audience: string;
}

export interface AccessTokenClaims {
  /** User id. */
  sub: string;
  /** Session id. */
  sid: string;
  jti: string;
  iat: number;
  exp: number;
}
