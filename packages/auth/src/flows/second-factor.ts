import { claimTotpStep, type Executor, findUserTotp, useRecoveryCode } from "@tidings/db";
import { openSecret, sealSecret } from "../crypto/index.ts";
import { hashRecoveryCode } from "../mfa/recovery-codes.ts";
import { matchTotpCode } from "../mfa/totp.ts";

/** The sealed TOTP key is bound to its owner, so a copied value does not work on another account. */
const totpContext = (userId: string) => `totp:${userId}`;

export const sealTotpSecret = (key: Buffer, userId: string, secret: string) =>
  sealSecret(key, secret, totpContext(userId));

export const openTotpSecret = (key: Buffer, userId: string, sealed: string) =>
  openSecret(key, sealed, totpContext(userId));

export async function totpEnabled(db: Executor, userId: string): Promise<boolean> {
  const row = await findUserTotp(db, userId);
  return Boolean(row?.enabled_at && row.secret_sealed);
}

export type SecondFactor = { code: string } | { recoveryCode: string };

/**
 * Checks and spends one second factor: a TOTP code (its step claimed, so it works once) or a
 * recovery code (marked used). Run it in the transaction of what it unlocks, so that a failure
 * later on leaves the code unspent.
 */
export async function spendSecondFactor(
  db: Executor,
  encryptionKey: Buffer,
  userId: string,
  factor: SecondFactor,
  now: Date,
): Promise<"totp" | "recovery_code" | undefined> {
  if ("recoveryCode" in factor) {
    return (await useRecoveryCode(db, userId, hashRecoveryCode(factor.recoveryCode))) ? "recovery_code" : undefined;
  }
  const row = await findUserTotp(db, userId);
  if (!row?.enabled_at || !row.secret_sealed) return undefined;
  const step = matchTotpCode(openTotpSecret(encryptionKey, userId, row.secret_sealed), factor.code, now);
  if (step === undefined) return undefined;
  return (await claimTotpStep(db, userId, step)) ? "totp" : undefined;
}
