import {
  type Executor,
  findOneTimeTokenState,
  type OneTimeTokenPurpose,
  replaceOneTimeToken,
  useOneTimeToken,
} from "@tidings/db";
import { generateOpaqueToken, hashesEqual, hashToken } from "./opaque-token.ts";

/** How long each kind of emailed link stays valid (S15). */
export const oneTimeTokenLifetimes: Record<OneTimeTokenPurpose, number> = {
  verify_email: 24 * 60 * 60,
  password_reset: 60 * 60,
  unlock_account: 24 * 60 * 60,
  invitation: 7 * 24 * 60 * 60,
};

/**
 * Issues a token for an emailed link; returns the raw token (only the hash is stored). A new one
 * invalidates the user's unused older ones of the same purpose, so only the latest link works.
 */
export async function issueOneTimeToken(db: Executor, userId: string, purpose: OneTimeTokenPurpose): Promise<string> {
  const token = generateOpaqueToken();
  await replaceOneTimeToken(db, {
    userId,
    purpose,
    tokenHash: hashToken(token),
    lifetimeSeconds: oneTimeTokenLifetimes[purpose],
  });
  return token;
}

export type ConsumeResult = { ok: true; userId: string } | { ok: false; reason: "TOKEN_INVALID" | "TOKEN_EXPIRED" };

/**
 * Uses a token once: the conditional UPDATE lets exactly one of several concurrent uses succeed.
 * Unknown, used and wrong-purpose tokens are all TOKEN_INVALID.
 */
export async function consumeOneTimeToken(
  db: Executor,
  token: string,
  purpose: OneTimeTokenPurpose,
): Promise<ConsumeResult> {
  const tokenHash = hashToken(token);
  const used = await useOneTimeToken(db, tokenHash, purpose);
  if (used && hashesEqual(used.token_hash, tokenHash)) return { ok: true, userId: used.user_id };

  const existing = await findOneTimeTokenState(db, tokenHash);
  const expired = existing && existing.purpose === purpose && existing.used_at === null;
  return { ok: false, reason: expired ? "TOKEN_EXPIRED" : "TOKEN_INVALID" };
}
