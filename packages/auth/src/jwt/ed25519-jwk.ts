import type { JWK_OKP_Private, JWK_OKP_Public } from "jose";

/** The only JWS algorithm this service signs with or accepts. */
export const SIGNING_ALGORITHM = "EdDSA";

export type Ed25519PublicJwk = JWK_OKP_Public & { kty: "OKP"; kid: string; alg: typeof SIGNING_ALGORITHM; use: "sig" };
export type Ed25519PrivateJwk = JWK_OKP_Private & {
  kty: "OKP";
  kid: string;
  alg: typeof SIGNING_ALGORITHM;
  use: "sig";
};

// Built member by member rather than copied and pruned, so nothing unexpected (above all "d")
// can ride along into a published JWKS.
export function ed25519PublicJwk(kid: string, x: string): Ed25519PublicJwk {
  return { kty: "OKP", crv: "Ed25519", x, kid, alg: SIGNING_ALGORITHM, use: "sig" };
}

export function ed25519PrivateJwk(kid: string, x: string, d: string): Ed25519PrivateJwk {
  return { kty: "OKP", crv: "Ed25519", x, d, kid, alg: SIGNING_ALGORITHM, use: "sig" };
}
