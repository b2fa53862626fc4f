import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { PasskeyRow, WebauthnChallengePurpose } from "../schema-protection.ts";

export interface NewPasskey {
  userId: string;
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: readonly string[];
  deviceType: "singleDevice" | "multiDevice";
  backedUp: boolean;
  name: string;
}

export function listPasskeys(db: Executor, userId: string): Promise<PasskeyRow[]> {
  return db
    .selectFrom("passkeys")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

export async function userHasPasskey(db: Executor, userId: string): Promise<boolean> {
  const row = await db.selectFrom("passkeys").select("id").where("user_id", "=", userId).limit(1).executeTakeFirst();
  return row !== undefined;
}

export function findPasskeyByCredentialId(db: Executor, credentialId: string): Promise<PasskeyRow | undefined> {
  return db.selectFrom("passkeys").selectAll().where("credential_id", "=", credentialId).executeTakeFirst();
}

/** Stores a new credential; undefined when that credential is registered already (to anyone). */
export async function insertPasskey(db: Executor, passkey: NewPasskey): Promise<PasskeyRow | undefined> {
  return db
    .insertInto("passkeys")
    .values({
      user_id: passkey.userId,
      credential_id: passkey.credentialId,
      public_key: passkey.publicKey,
      counter: passkey.counter,
      transports: JSON.stringify(passkey.transports),
      device_type: passkey.deviceType,
      backed_up: passkey.backedUp,
      name: passkey.name,
    })
    .onConflict((oc) => oc.column("credential_id").doNothing())
    .returningAll()
    .executeTakeFirst();
}

/**
 * Records a verified use: the new counter and backup state. Conditional on the counter read
 * before the check, so of two assertions racing with one counter value only one gets through.
 */
export async function recordPasskeyUse(
  db: Executor,
  use: { id: string; previousCounter: number | string; counter: number; backedUp: boolean },
): Promise<boolean> {
  const row = await db
    .updateTable("passkeys")
    .set({ counter: use.counter, backed_up: use.backedUp, last_used_at: sql`now()` })
    .where("id", "=", use.id)
    .where("counter", "=", use.previousCounter)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** Removes one of the user's passkeys; undefined when the user has no passkey with that id. */
export async function deletePasskey(db: Executor, userId: string, passkeyId: string): Promise<PasskeyRow | undefined> {
  return db
    .deleteFrom("passkeys")
    .where("id", "=", passkeyId)
    .where("user_id", "=", userId)
    .returningAll()
    .executeTakeFirst();
}

export interface NewWebauthnChallenge {
  challenge: string;
  purpose: WebauthnChallengePurpose;
  userId?: string | undefined;
  sessionId?: string | undefined;
  mfaChallengeId?: string | undefined;
  lifetimeSeconds: number;
}

/** Stores a challenge handed to a browser; challenges expired for a day are cleared on the way. */
export async function insertWebauthnChallenge(db: Executor, challenge: NewWebauthnChallenge): Promise<void> {
  await db.deleteFrom("webauthn_challenges").where("expires_at", "<", sql<Date>`now() - interval '1 day'`).execute();
  await db
    .insertInto("webauthn_challenges")
    .values({
      challenge: challenge.challenge,
      purpose: challenge.purpose,
      user_id: challenge.userId ?? null,
      session_id: challenge.sessionId ?? null,
      mfa_challenge_id: challenge.mfaChallengeId ?? null,
      expires_at: sql<Date>`now() + make_interval(secs => ${challenge.lifetimeSeconds})`,
    })
    .execute();
}

/**
 * Spends a challenge: only an unused, unexpired one of this purpose and binding (the session, or
 * the sign-in's mfa challenge) is taken, once. Returns the user it was issued for (null for a
 * passwordless one), or undefined when there is no such challenge.
 */
export async function useWebauthnChallenge(
  db: Executor,
  use: {
    challenge: string;
    purpose: WebauthnChallengePurpose;
    sessionId?: string | undefined;
    mfaChallengeId?: string | undefined;
  },
): Promise<{ userId: string | null } | undefined> {
  let query = db
    .updateTable("webauthn_challenges")
    .set({ used_at: sql`now()` })
    .where("challenge", "=", use.challenge)
    .where("purpose", "=", use.purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`);
  query =
    use.sessionId === undefined ? query.where("session_id", "is", null) : query.where("session_id", "=", use.sessionId);
  query =
    use.mfaChallengeId === undefined
      ? query.where("mfa_challenge_id", "is", null)
      : query.where("mfa_challenge_id", "=", use.mfaChallengeId);
  const row = await query.returning("user_id").executeTakeFirst();
  return row && { userId: row.user_id };
}
