import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { MailAccountRow, MailAccountStatus } from "../schema-mail.ts";
import { statusChange } from "./mail-accounts.ts";

// Sync ownership of mail accounts. Times come from the database's clock, so workers on machines
// whose clocks disagree still agree on when a lease has run out.

function leaseEnd(seconds: number) {
  return sql<Date>`now() + make_interval(secs => ${seconds})`;
}

/**
 * Takes up to `limit` accounts that nobody holds (never leased, or the holder stopped renewing),
 * paused ones excepted. SKIP LOCKED lets several workers ask at once without waiting on each other
 * or taking the same account.
 */
export function acquireMailLeases(
  db: Executor,
  lease: { owner: string; seconds: number; limit: number },
): Promise<MailAccountRow[]> {
  if (lease.limit <= 0) return Promise.resolve([]);
  return db
    .updateTable("mail_accounts")
    .set({ lease_owner: lease.owner, lease_expires_at: leaseEnd(lease.seconds) })
    .where("id", "in", (eb) =>
      eb
        .selectFrom("mail_accounts")
        .select("id")
        .where("status", "<>", "paused")
        .where((w) => w.or([w("lease_expires_at", "is", null), w("lease_expires_at", "<", sql<Date>`now()`)]))
        .orderBy("lease_expires_at", (o) => o.nullsFirst())
        .orderBy("created_at")
        .limit(lease.limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
}

/**
 * Extends the owner's leases; answers the accounts it still holds, as they are now (so the runners
 * see a resync request or new credentials without a query each). An account that was removed,
 * paused or (after a stall longer than the lease) taken by another worker is missing.
 */
export async function renewMailLeases(
  db: Executor,
  owner: string,
  accountIds: readonly string[],
  seconds: number,
): Promise<MailAccountRow[]> {
  if (!accountIds.length) return [];
  return db
    .updateTable("mail_accounts")
    .set({ lease_expires_at: leaseEnd(seconds) })
    .where("id", "in", [...accountIds])
    .where("lease_owner", "=", owner)
    .where("status", "<>", "paused")
    .returningAll()
    .execute();
}

/** Gives accounts back at once (shutdown, paused), so another worker need not wait for expiry. */
export async function releaseMailLeases(db: Executor, owner: string, accountIds: readonly string[]): Promise<void> {
  if (!accountIds.length) return;
  await db
    .updateTable("mail_accounts")
    .set({ lease_owner: null, lease_expires_at: null })
    .where("id", "in", [...accountIds])
    .where("lease_owner", "=", owner)
    .execute();
}

/** Clears a resync request once served; a newer request (made during the pass) stays. */
export async function clearMailResyncRequest(db: Executor, accountId: string, servedAt: Date): Promise<void> {
  await db
    .updateTable("mail_accounts")
    .set({ resync_requested_at: null })
    .where("id", "=", accountId)
    // The request time is the database's now(), in microseconds; the runner hands back what it read
    // as a JS Date, in milliseconds. Compared as is, a request at .123456 is "after" one served at
    // .123 and would never be cleared.
    .where(sql<Date>`date_trunc('milliseconds', resync_requested_at)`, "<=", servedAt)
    .execute();
}

export interface MailAccountErrorNotice {
  to: string;
  displayName: string | null;
  accountEmail: string;
  reason: string;
}

/**
 * Marks the owner as told about the account's current error and answers whom to tell; undefined
 * when the account is not in error or the owner was told already. Call it in the transaction that
 * queues the email, so the mark and the email commit together.
 */
export async function claimMailAccountErrorNotice(
  db: Executor,
  accountId: string,
): Promise<MailAccountErrorNotice | undefined> {
  const account = await db
    .updateTable("mail_accounts")
    .set({ error_notified_at: sql<Date>`now()` })
    .where("id", "=", accountId)
    .where("status", "=", "error")
    .where("error_notified_at", "is", null)
    .returning(["user_id", "email", "error_message"])
    .executeTakeFirst();
  if (!account) return undefined;
  const owner = await db
    .selectFrom("users")
    .select(["email", "display_name"])
    .where("id", "=", account.user_id)
    .executeTakeFirstOrThrow();
  return {
    to: owner.email,
    displayName: owner.display_name,
    accountEmail: account.email,
    reason: account.error_message ?? "The mail server could not be reached.",
  };
}

/** After a recovery, a later error is news again. */
export async function clearMailAccountErrorNotice(db: Executor, accountId: string): Promise<void> {
  await db
    .updateTable("mail_accounts")
    .set({ error_notified_at: null })
    .where("id", "=", accountId)
    .where("error_notified_at", "is not", null)
    .execute();
}

/**
 * setMailAccountStatus for the worker holding the account: it writes only while `owner` holds the
 * lease and never over "paused", so a runner finishing a pass cannot undo the user's pause (or
 * write over the worker that took the account over).
 */
export async function setLeasedMailAccountStatus(
  db: Executor,
  owner: string,
  accountId: string,
  status: Exclude<MailAccountStatus, "paused">,
  error: { code: string; message: string } | null = null,
): Promise<void> {
  await db
    .updateTable("mail_accounts")
    .set(statusChange(status, error))
    .where("id", "=", accountId)
    .where("lease_owner", "=", owner)
    .where("status", "<>", "paused")
    .execute();
}
