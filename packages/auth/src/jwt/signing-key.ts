import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import { ed25519PrivateJwk, ed25519PublicJwk } from "./ed25519-jwk.ts";

/** An Ed25519 key pair for access tokens; the JWKs carry kid, alg "EdDSA", crv "Ed25519" and use "sig". */
export interface SigningKey {
  kid: string;
  createdAt: Date;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** A fresh Ed25519 key whose kid is its RFC 7638 thumbprint, so anyone holding the public key can recompute it. */
export async function generateSigningKey(now: Date = new Date()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("Ed25519", { extractable: true });
  const exported = await exportJWK(privateKey);
  if (exported.x === undefined || exported.d === undefined) {
    throw new Error("generated Ed25519 key did not export as an OKP private JWK");
  }
  const { x, d } = exported;
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  return {
    kid,
    // Whole seconds, because the environment format stores createdAt as "iat" in seconds.
    createdAt: new Date(Math.floor(now.getTime() / 1000) * 1000),
    privateJwk: ed25519PrivateJwk(kid, x, d),
    publicJwk: ed25519PublicJwk(kid, x),
  };
}
