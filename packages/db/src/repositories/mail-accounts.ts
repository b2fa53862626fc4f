import type { ExpressionBuilder } from "kysely";
import type { Executor } from "../executor.ts";
import type { Database } from "../schema.ts";
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

/** The row insertMailAccount and insertMailAccountIfAbsent write. */
function mailAccountValues(account: NewMailAccount) {
  return {
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
  };
}

export async function insertMailAccount(db: Executor, account: NewMailAccount): Promise<MailAccountRow> {
  return db.insertInto("mail_accounts").values(mailAccountValues(account)).returningAll().executeTakeFirstOrThrow();
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
  await db.updateTable("mail_accounts").set(statusChange(status, error)).where("id", "=", accountId).execute();
}

/** The columns a status change writes: the error kept for "error", cleared otherwise; last_sync_at on "ready". */
export function statusChange(status: MailAccountStatus, error: { code: string; message: string } | null) {
  const failed = status === "error" && error !== null;
  return (eb: ExpressionBuilder<Database, "mail_accounts">) => ({
    status,
    error_code: failed ? error.code : null,
    error_message: failed ? error.message : null,
    error_at: failed ? eb.fn<Date>("now") : null,
    last_sync_at: status === "ready" ? eb.fn<Date>("now") : eb.ref("last_sync_at"),
    updated_at: eb.fn<Date>("now"),
  });
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

/** Like insertMailAccount, but undefined when the user already has an account with this address. */
export function insertMailAccountIfAbsent(db: Executor, account: NewMailAccount): Promise<MailAccountRow | undefined> {
  return db
    .insertInto("mail_accounts")
    .values(mailAccountValues(account))
    .onConflict((oc) => oc.columns(["user_id", "email"]).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export interface MailAccountCounts {
  messages: number;
  unread: number;
}

/** Stored messages and unread ones per account (accounts without messages are absent). */
export async function countMailAccountMessages(
  db: Executor,
  accountIds: readonly string[],
): Promise<Map<string, MailAccountCounts>> {
  if (accountIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("mail_messages")
    .select((eb) => [
      "account_id",
      eb.fn.countAll<string>().as("messages"),
      eb.fn.countAll<string>().filterWhere("seen", "=", false).as("unread"),
    ])
    .where("account_id", "in", accountIds)
    .groupBy("account_id")
    .execute();
  return new Map(rows.map((row) => [row.account_id, { messages: Number(row.messages), unread: Number(row.unread) }]));
}

/** What mailAccount.update may change; absent fields stay as they are. */
export interface MailAccountChanges {
  displayName?: string | null;
  imap?: { host: string; port: number; security: MailSecurity; username: string };
  smtp?: { host: string; port: number; security: MailSecurity; username: string };
  credentialsSealed?: string;
  /** A new status clears the stored error (the account is retried or paused). */
  status?: MailAccountStatus;
  syncDays?: number;
  aiEnabled?: boolean;
}

/** Changes the user's account; undefined when it is not theirs (S27). */
export function updateMailAccount(
  db: Executor,
  userId: string,
  accountId: string,
  changes: MailAccountChanges,
): Promise<MailAccountRow | undefined> {
  return db
    .updateTable("mail_accounts")
    .set((eb) => ({
      ...(changes.displayName !== undefined ? { display_name: changes.displayName } : {}),
      ...(changes.imap
        ? {
            imap_host: changes.imap.host,
            imap_port: changes.imap.port,
            imap_security: changes.imap.security,
            imap_username: changes.imap.username,
          }
        : {}),
      ...(changes.smtp
        ? {
            smtp_host: changes.smtp.host,
            smtp_port: changes.smtp.port,
            smtp_security: changes.smtp.security,
            smtp_username: changes.smtp.username,
          }
        : {}),
      ...(changes.credentialsSealed !== undefined ? { credentials_sealed: changes.credentialsSealed } : {}),
      ...(changes.status !== undefined
        ? { status: changes.status, error_code: null, error_message: null, error_at: null }
        : {}),
      ...(changes.syncDays !== undefined ? { sync_days: changes.syncDays } : {}),
      ...(changes.aiEnabled !== undefined ? { ai_enabled: changes.aiEnabled } : {}),
      updated_at: eb.fn("now"),
    }))
    .where("id", "=", accountId)
    .where("user_id", "=", userId)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Asks the worker holding the account to rebuild it from the server (it clears the mark); a paused
 * account stays paused and is rebuilt when resumed. Undefined when the account is not the user's.
 */
export function requestMailAccountResync(
  db: Executor,
  userId: string,
  accountId: string,
): Promise<MailAccountRow | undefined> {
  return db
    .updateTable("mail_accounts")
    .set((eb) => ({
      resync_requested_at: eb.fn("now"),
      status: eb
        .case()
        .when("status", "=", "paused")
        .then("paused" as const)
        .else("connecting" as const)
        .end(),
      error_code: null,
      error_message: null,
      error_at: null,
      updated_at: eb.fn("now"),
    }))
    .where("id", "=", accountId)
    .where("user_id", "=", userId)
    .returningAll()
    .executeTakeFirst();
}

/**
 * An error only the user can fix (a refused sign-in): the account goes to "error", except that one
 * the user paused stays paused, with the error noted for when they look or resume it.
 */
export async function failMailAccount(
  db: Executor,
  accountId: string,
  error: { code: string; message: string },
): Promise<void> {
  await db
    .updateTable("mail_accounts")
    .set((eb) => ({
      status: eb
        .case()
        .when("status", "=", "paused")
        .then("paused" as const)
        .else("error" as const)
        .end(),
      error_code: error.code,
      error_message: error.message,
      error_at: eb.fn("now"),
      updated_at: eb.fn("now"),
    }))
    .where("id", "=", accountId)
    .execute();
}

/**
 * Notes an error on the account (code, message, time) without changing its status: a change the
 * server refused does not stop the sync, but the user sees what went wrong.
 */
export async function recordMailAccountError(
  db: Executor,
  accountId: string,
  error: { code: string; message: string },
): Promise<void> {
  await db
    .updateTable("mail_accounts")
    .set((eb) => ({
      error_code: error.code,
      error_message: error.message,
      error_at: eb.fn("now"),
      updated_at: eb.fn("now"),
    }))
    .where("id", "=", accountId)
    .execute();
}
