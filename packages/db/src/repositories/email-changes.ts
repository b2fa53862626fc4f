import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { EmailChangeRow } from "../schema-protection.ts";

/** Stores a requested change (token hashed); the user's earlier unconfirmed requests stop working. */
export async function insertEmailChange(
  db: Executor,
  change: { userId: string; newEmail: string; newEmailNormalized: string; tokenHash: string; lifetimeSeconds: number },
): Promise<void> {
  await db
    .updateTable("email_changes")
    .set({ used_at: sql`now()` })
    .where("user_id", "=", change.userId)
    .where("used_at", "is", null)
    .execute();
  await db
    .insertInto("email_changes")
    .values({
      user_id: change.userId,
      new_email: change.newEmail,
      new_email_normalized: change.newEmailNormalized,
      token_hash: change.tokenHash,
      expires_at: sql<Date>`now() + make_interval(secs => ${change.lifetimeSeconds})`,
    })
    .execute();
}

export type EmailChangeState = EmailChangeRow & { expired: boolean };

export async function findEmailChangeByTokenHash(
  db: Executor,
  tokenHash: string,
): Promise<EmailChangeState | undefined> {
  const row = await db
    .selectFrom("email_changes")
    .selectAll()
    .select(sql<boolean>`expires_at <= now()`.as("expired"))
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
  return row && { ...row, expired: Boolean(row.expired) };
}

/** Spends a confirmation link once; false when it was used or expired meanwhile. */
export async function useEmailChange(db: Executor, id: string): Promise<boolean> {
  const row = await db
    .updateTable("email_changes")
    .set({ used_at: sql`now()` })
    .where("id", "=", id)
    .where("used_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Moves the account to its new address, unless another account took that address meanwhile
 * (undefined then): the unique key on email_normalized decides.
 */
export async function setUserEmail(
  db: Executor,
  userId: string,
  email: { email: string; emailNormalized: string },
): Promise<{ id: string } | undefined> {
  const taken = await db
    .selectFrom("users")
    .select("id")
    .where("email_normalized", "=", email.emailNormalized)
    .where("id", "!=", userId)
    .executeTakeFirst();
  if (taken) return undefined;
  return db
    .updateTable("users")
    .set({ email: email.email, email_normalized: email.emailNormalized, updated_at: sql`now()` })
    .where("id", "=", userId)
    .returning("id")
    .executeTakeFirst();
}
