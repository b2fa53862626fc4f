import type { Executor } from "../executor.ts";
import type { MailAccountRow, MailAccountStatus, MailSecurity } from "../schema-mail.ts";

export interface NewMailAccount {
  userId: string;
  email: string;
  displayName?: string | null;
  provider: string;
  imap: { host: string; port: number; security: MailSecurity; username: string };
  smtp: { host: string; port: number; security: MailSecurity; username: string };
  /** Both secrets sealed by the caller (S23); this layer never sees them in the clear. */
  credentialsSealed: string;
  syncDays?: number;
}

export async function insertMailAccount(db: Executor, account: NewMailAccount): Promise<MailAccountRow> {
  return db
    .insertInto("mail_accounts")
    .values({
      user_id: account.userId,
      email: account.email,
      display_name: account.displayName ?? null,
      provider: account.provider,
      imap_host: account.imap.host,
      imap_port: account.imap.port,
      imap_security: account.imap.security,
      imap_username: account.imap.username,
      smtp_host: account.smtp.host,
      smtp_port: account.smtp.port,
      smtp_security: account.smtp.security,
      smtp_username: account.smtp.username,
      credentials_sealed: account.credentialsSealed,
      sync_days: account.syncDays,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The account if it belongs to the user (S27: another user's id finds nothing). */
export function findMailAccount(db: Executor, userId: string, accountId: string): Promise<MailAccountRow | undefined> {
  return db
    .selectFrom("mail_accounts")
    .selectAll()
    .where("id", "=", accountId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

export function listMailAccounts(db: Executor, userId: string): Promise<MailAccountRow[]> {
  return db
    .selectFrom("mail_accounts")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

/** Sets the status; `error` is kept for "error" and cleared by any other status. */
export async function setMailAccountStatus(
  db: Executor,
  accountId: string,
  status: MailAccountStatus,
  error: { code: string; message: string } | null = null,
): Promise<void> {
  const failed = status === "error" && error !== null;
  await db
    .updateTable("mail_accounts")
    .set((eb) => ({
      status,
      error_code: failed ? error.code : null,
      error_message: failed ? error.message : null,
      error_at: failed ? eb.fn("now") : null,
      last_sync_at: status === "ready" ? eb.fn("now") : eb.ref("last_sync_at"),
      updated_at: eb.fn("now"),
    }))
    .where("id", "=", accountId)
    .execute();
}

/** Deletes the user's account with its folders, threads and messages; false when there was none. */
export async function deleteMailAccount(db: Executor, userId: string, accountId: string): Promise<boolean> {
  const result = await db
    .deleteFrom("mail_accounts")
    .where("id", "=", accountId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
