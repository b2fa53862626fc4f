import { type AccessTokenClaims, TokenError, verifyAccessToken } from "../jwt/index.ts";
import type { AuthDeps } from "./deps.ts";
import { AuthFailure } from "./failure.ts";

export interface Principal {
  userId: string;
  sessionId: string;
}

/** Checks a bearer token: signature, issuer, audience, expiry, then the shared revocation list (S14). */
export async function authenticate(
  deps: Pick<AuthDeps, "keyRing" | "tokens" | "revocation">,
  token: string,
): Promise<Principal> {
  const claims = await verifiedClaims(deps, token);
  if (await deps.revocation.isRevoked(claims.sid)) {
    throw new AuthFailure("SESSION_REVOKED", "This session has ended");
  }
  return { userId: claims.sub, sessionId: claims.sid };
}

async function verifiedClaims(deps: Pick<AuthDeps, "keyRing" | "tokens">, token: string): Promise<AccessTokenClaims> {
  try {
    return await verifyAccessToken(deps.keyRing, token, deps.tokens, new Date());
  } catch (error) {
    if (error instanceof TokenError) {
      throw new AuthFailure(
        error.code,
        error.code === "TOKEN_EXPIRED" ? "Access token expired" : "Access token not valid",
      );
    }
    throw error;
  }
}
