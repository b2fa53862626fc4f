import type { Executor } from "../executor.ts";

/**
 * Deletes an account and everything that is its own: its audit trail explicitly (those rows would
 * otherwise outlive it, unowned), the rest through the foreign keys' ON DELETE CASCADE (sessions,
 * tokens, two-factor, mail accounts with their folders, messages and drafts, AI settings and
 * usage). Invitations it sent or accepted stay, without the link to it. False when already gone.
 */
export async function deleteUserAccount(db: Executor, userId: string): Promise<boolean> {
  await db.deleteFrom("audit_events").where("user_id", "=", userId).execute();
  const deleted = await db.deleteFrom("users").where("id", "=", userId).returning("id").executeTakeFirst();
  return deleted !== undefined;
}
