import {
  activateTotp,
  countUnusedRecoveryCodes,
  deleteTotp,
  type Executor,
  findUserTotp,
  replaceRecoveryCodes,
  savePendingTotpSecret,
  type User,
} from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { generateRecoveryCodes, hashRecoveryCode } from "../mfa/recovery-codes.ts";
import { generateTotpSecret, matchTotpCode, totpQrSvg, totpUri } from "../mfa/totp.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { Principal } from "./authenticate.ts";
import type { AuthDeps } from "./deps.ts";
import { AuthFailure, invalidSecondFactor } from "./failure.ts";
import { listUserPasskeys, type PasskeyView } from "./passkeys.ts";
import { openTotpSecret, sealTotpSecret, spendSecondFactor, totpEnabled } from "./second-factor.ts";
import { securityNotice } from "./security-notice.ts";
import { requirePassword, signedInUser } from "./step-up.ts";

type MfaChange = "totp_enabled" | "totp_disabled" | "recovery_codes_regenerated";

async function tellOwner(deps: AuthDeps, db: Executor, user: User, change: MfaChange, origin: RequestOrigin) {
  await deps.sendEmail(db, {
    template: "mfa-changed",
    to: user.email,
    data: { ...securityNotice(user, origin, new Date()), change },
  });
}

/** New recovery codes, stored hashed; the plain codes are returned once and never again. */
async function storeNewRecoveryCodes(db: Executor, userId: string): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await replaceRecoveryCodes(db, userId, codes.map(hashRecoveryCode));
  return codes;
}

export async function mfaStatus(
  deps: AuthDeps,
  principal: Principal,
): Promise<{ totp: boolean; recoveryCodesLeft: number; passkeys: PasskeyView[] }> {
  const on = await totpEnabled(deps.db, principal.userId);
  return {
    totp: on,
    recoveryCodesLeft: on ? await countUnusedRecoveryCodes(deps.db, principal.userId) : 0,
    passkeys: await listUserPasskeys(deps.db, principal.userId),
  };
}

/** A new key waiting for its first code; nothing is protected by it until `enableTotp`. */
export async function setupTotp(
  deps: AuthDeps,
  principal: Principal,
): Promise<{ secret: string; otpauthUri: string; qrSvg: string }> {
  const user = await signedInUser(deps, principal);
  if (await totpEnabled(deps.db, user.id)) {
    throw new AuthFailure("FORBIDDEN", "Two-factor sign-in is already on; turn it off before setting up a new key");
  }
  const secret = generateTotpSecret();
  await savePendingTotpSecret(deps.db, user.id, sealTotpSecret(deps.sessions.encryptionKey, user.id, secret));
  const otpauthUri = totpUri(secret, user.email);
  return { secret, otpauthUri, qrSvg: await totpQrSvg(otpauthUri) };
}

/** The first code proves the app holds the key: then two-factor is on, and the recovery codes are made. */
export async function enableTotp(
  deps: AuthDeps,
  principal: Principal,
  input: { code: string },
  origin: RequestOrigin,
  now: Date = new Date(),
): Promise<{ recoveryCodes: string[] }> {
  const user = await signedInUser(deps, principal);
  const row = await findUserTotp(deps.db, user.id);
  if (row?.enabled_at) throw new AuthFailure("FORBIDDEN", "Two-factor sign-in is already on");
  const pending = row?.pending_secret_sealed;
  if (!pending) throw new AuthFailure("FORBIDDEN", "Start the two-factor setup first");
  const step = matchTotpCode(openTotpSecret(deps.sessions.encryptionKey, user.id, pending), input.code, now);
  if (step === undefined) throw invalidSecondFactor();

  return deps.db.transaction().execute(async (trx) => {
    if (!(await activateTotp(trx, user.id, pending, step))) throw invalidSecondFactor();
    const recoveryCodes = await storeNewRecoveryCodes(trx, user.id);
    await recordAuditEvent(trx, { type: "mfa_enabled", userId: user.id, origin, metadata: { method: "totp" } });
    await tellOwner(deps, trx, user, "totp_enabled", origin);
    return { recoveryCodes };
  });
}

/** Needs the password and a current code (or a recovery code, for a lost phone) (S35). */
export async function disableTotp(
  deps: AuthDeps,
  principal: Principal,
  input: { password: string; code: string },
  origin: RequestOrigin,
  now: Date = new Date(),
): Promise<{ status: "ok" }> {
  const user = await signedInUser(deps, principal);
  await requirePassword(user, input.password);
  if (!(await totpEnabled(deps.db, user.id))) throw new AuthFailure("FORBIDDEN", "Two-factor sign-in is not on");
  const factor = /^\s*\d{6}\s*$/.test(input.code) ? { code: input.code } : { recoveryCode: input.code };

  const disabled = await deps.db.transaction().execute(async (trx) => {
    const spent = await spendSecondFactor(trx, deps.sessions.encryptionKey, user.id, factor, now);
    if (!spent) return false;
    await deleteTotp(trx, user.id);
    await recordAuditEvent(trx, {
      type: "mfa_disabled",
      userId: user.id,
      origin,
      metadata: { method: "totp", with: spent },
    });
    await tellOwner(deps, trx, user, "totp_disabled", origin);
    return true;
  });
  if (!disabled) {
    await recordAuditEvent(deps.db, { type: "mfa_failed", userId: user.id, origin, metadata: { during: "disable" } });
    throw invalidSecondFactor();
  }
  return { status: "ok" };
}

/** Replaces every recovery code; needs the password (S35). */
export async function regenerateRecoveryCodes(
  deps: AuthDeps,
  principal: Principal,
  input: { password: string },
  origin: RequestOrigin,
): Promise<{ recoveryCodes: string[] }> {
  const user = await signedInUser(deps, principal);
  await requirePassword(user, input.password);
  if (!(await totpEnabled(deps.db, user.id))) throw new AuthFailure("FORBIDDEN", "Two-factor sign-in is not on");
  return deps.db.transaction().execute(async (trx) => {
    const recoveryCodes = await storeNewRecoveryCodes(trx, user.id);
    await tellOwner(deps, trx, user, "recovery_codes_regenerated", origin);
    return { recoveryCodes };
  });
}
