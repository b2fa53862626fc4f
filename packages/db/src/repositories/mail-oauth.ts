import type { Executor } from "../executor.ts";
import type { MailAccountRow, MailOAuthProvider, MailOAuthStateRow } from "../schema-mail.ts";
import type { NewMailAccount } from "./mail-accounts.ts";

export interface NewMailOAuthState {
  stateHash: string;
  userId: string;
  provider: MailOAuthProvider;
  codeVerifierSealed: string;
  expiresAt: Date;
}

/** Stores a pending authorization request, and drops requests that have expired meanwhile. */
export async function insertMailOAuthState(db: Executor, state: NewMailOAuthState): Promise<void> {
  await db.deleteFrom("mail_oauth_states").where("expires_at", "<", new Date()).execute();
  await db
    .insertInto("mail_oauth_states")
    .values({
      state_hash: state.stateHash,
      user_id: state.userId,
      provider: state.provider,
      code_verifier_sealed: state.codeVerifierSealed,
      expires_at: state.expiresAt,
    })
    .execute();
}

/**
 * Deletes and answers the pending request with this state hash, if it has not expired. Deleting
 * as it reads makes a state single use even when two callbacks race.
 */
export async function takeMailOAuthState(db: Executor, stateHash: string): Promise<MailOAuthStateRow | undefined> {
  const row = await db
    .deleteFrom("mail_oauth_states")
    .where("state_hash", "=", stateHash)
    .returningAll()
    .executeTakeFirst();
  return row && row.expires_at.getTime() > Date.now() ? row : undefined;
}

/**
 * Creates the OAuth2 account, or reconnects the user's existing account for the same address:
 * new tokens, the provider's servers, back to "connecting" with the error cleared.
 */
export async function upsertOAuthMailAccount(
  db: Executor,
  account: NewMailAccount & { oauthProvider: MailOAuthProvider },
): Promise<MailAccountRow> {
  const servers = {
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
    auth_method: "oauth2" as const,
    oauth_provider: account.oauthProvider,
  };
  return db
    .insertInto("mail_accounts")
    .values({
      ...servers,
      user_id: account.userId,
      email: account.email,
      display_name: account.displayName ?? null,
      sync_days: account.syncDays,
    })
    .onConflict((oc) =>
      oc.columns(["user_id", "email"]).doUpdateSet((eb) => ({
        ...servers,
        status: "connecting",
        error_code: null,
        error_message: null,
        error_at: null,
        error_notified_at: null,
        updated_at: eb.fn("now"),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The account's sealed credentials, with the row locked until the transaction ends: two processes
 * refreshing the same tokens at once would otherwise spend a rotating refresh token twice.
 */
export function lockMailAccountCredentials(
  trx: Executor,
  accountId: string,
): Promise<Pick<MailAccountRow, "credentials_sealed" | "auth_method"> | undefined> {
  return trx
    .selectFrom("mail_accounts")
    .select(["credentials_sealed", "auth_method"])
    .where("id", "=", accountId)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateMailAccountCredentials(db: Executor, accountId: string, sealed: string): Promise<void> {
  await db
    .updateTable("mail_accounts")
    .set((eb) => ({ credentials_sealed: sealed, updated_at: eb.fn("now") }))
    .where("id", "=", accountId)
    .execute();
}
