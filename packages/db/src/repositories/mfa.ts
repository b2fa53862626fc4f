import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { UserTotpRow } from "../schema-protection.ts";

export function findUserTotp(db: Executor, userId: string): Promise<UserTotpRow | undefined> {
  return db.selectFrom("user_totp").selectAll().where("user_id", "=", userId).executeTakeFirst();
}

/** Starts (or restarts) a setup: the new key waits for its first code; an active key stays as it is. */
export async function savePendingTotpSecret(db: Executor, userId: string, sealed: string): Promise<void> {
  await db
    .insertInto("user_totp")
    .values({ user_id: userId, pending_secret_sealed: sealed })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ pending_secret_sealed: sealed, updated_at: sql`now()` }))
    .execute();
}

/**
 * Turns the pending key on, with the step of the code that confirmed it already spent. Only the
 * key that was confirmed (compared sealed) is activated, so a setup restarted meanwhile is not.
 */
export async function activateTotp(
  db: Executor,
  userId: string,
  pendingSealed: string,
  confirmedStep: number,
): Promise<boolean> {
  const row = await db
    .updateTable("user_totp")
    .set({
      secret_sealed: pendingSealed,
      pending_secret_sealed: null,
      enabled_at: sql`now()`,
      last_used_step: confirmedStep,
      updated_at: sql`now()`,
    })
    .where("user_id", "=", userId)
    .where("pending_secret_sealed", "=", pendingSealed)
    .where("enabled_at", "is", null)
    .returning("user_id")
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Spends a TOTP step: succeeds only for a step newer than every step accepted before, so of two
 * uses of one code (even concurrent ones) exactly one gets through (S33).
 */
export async function claimTotpStep(db: Executor, userId: string, step: number): Promise<boolean> {
  const row = await db
    .updateTable("user_totp")
    .set({ last_used_step: step, updated_at: sql`now()` })
    .where("user_id", "=", userId)
    .where("enabled_at", "is not", null)
    .where((eb) => eb.or([eb("last_used_step", "is", null), eb("last_used_step", "<", String(step))]))
    .returning("user_id")
    .executeTakeFirst();
  return row !== undefined;
}

/** Two-factor off: the key, its recovery codes and any open sign-in challenge go. */
export async function deleteTotp(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom("user_totp").where("user_id", "=", userId).execute();
  await db.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
  await db.deleteFrom("mfa_challenges").where("user_id", "=", userId).execute();
}

/** Replaces every recovery code of the user with these (hashes); older codes stop working. */
export async function replaceRecoveryCodes(db: Executor, userId: string, codeHashes: readonly string[]): Promise<void> {
  await db.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
  if (codeHashes.length === 0) return;
  await db
    .insertInto("recovery_codes")
    .values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash })))
    .execute();
}

/** Uses a recovery code once: the conditional UPDATE lets one of several concurrent uses win. */
export async function useRecoveryCode(db: Executor, userId: string, codeHash: string): Promise<boolean> {
  const row = await db
    .updateTable("recovery_codes")
    .set({ used_at: sql`now()` })
    .where("user_id", "=", userId)
    .where("code_hash", "=", codeHash)
    .where("used_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function countUnusedRecoveryCodes(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom("recovery_codes")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertMfaChallenge(
  db: Executor,
  challenge: { userId: string; tokenHash: string; lifetimeSeconds: number },
): Promise<void> {
  await db
    .insertInto("mfa_challenges")
    .values({
      user_id: challenge.userId,
      token_hash: challenge.tokenHash,
      expires_at: sql<Date>`now() + make_interval(secs => ${challenge.lifetimeSeconds})`,
    })
    .execute();
}

export interface MfaChallengeState {
  id: string;
  userId: string;
  email: string;
  used: boolean;
  expired: boolean;
}

/** The challenge of an `mfaToken` and its account's email (for the sign-in limits), without using it. */
export async function findMfaChallenge(db: Executor, tokenHash: string): Promise<MfaChallengeState | undefined> {
  const row = await db
    .selectFrom("mfa_challenges as c")
    .innerJoin("users", "users.id", "c.user_id")
    .select([
      "c.id as id",
      "c.user_id as userId",
      "users.email_normalized as email",
      sql<boolean>`c.used_at is not null`.as("used"),
      sql<boolean>`c.expires_at <= now()`.as("expired"),
    ])
    .where("c.token_hash", "=", tokenHash)
    .executeTakeFirst();
  return (
    row && { id: row.id, userId: row.userId, email: row.email, used: Boolean(row.used), expired: Boolean(row.expired) }
  );
}

/** Spends a challenge once it has been answered; false when another request spent it first. */
export async function useMfaChallenge(db: Executor, tokenHash: string): Promise<boolean> {
  const row = await db
    .updateTable("mfa_challenges")
    .set({ used_at: sql`now()` })
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** Ends every open challenge of a user (a lockout ends the second step too). */
export async function endMfaChallenges(db: Executor, userId: string): Promise<void> {
  await db
    .updateTable("mfa_challenges")
    .set({ used_at: sql`now()` })
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .execute();
}
