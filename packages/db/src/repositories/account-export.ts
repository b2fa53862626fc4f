import type { Executor } from "../executor.ts";

// What the data export reads: named columns only, so a secret added to a table later is not
// exported by accident.

export function listAllSessionsForExport(db: Executor, userId: string) {
  return db
    .selectFrom("sessions")
    .select(["id", "created_at", "last_used_at", "expires_at", "revoked_at", "revoked_reason", "ip", "user_agent"])
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .execute();
}

export function listAllAuditEventsForExport(db: Executor, userId: string) {
  return db
    .selectFrom("audit_events")
    .select(["id", "type", "ip", "user_agent", "metadata", "created_at"])
    .where("user_id", "=", userId)
    .orderBy("id", "desc")
    .execute();
}

export function listMailAccountsForExport(db: Executor, userId: string) {
  return db
    .selectFrom("mail_accounts")
    .select([
      "id",
      "email",
      "display_name",
      "provider",
      "imap_host",
      "imap_port",
      "imap_security",
      "imap_username",
      "smtp_host",
      "smtp_port",
      "smtp_security",
      "smtp_username",
      "status",
      "sync_days",
      "ai_enabled",
      "last_sync_at",
      "created_at",
    ])
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .execute();
}

export function findAiSettingsForExport(db: Executor, userId: string) {
  return db
    .selectFrom("ai_settings")
    .select([
      "provider",
      "base_url",
      "model_triage",
      "model_summary",
      "model_draft",
      "monthly_budget_micro_usd",
      "feature_triage",
      "feature_summaries",
      "feature_drafts",
      "excluded_account_ids",
      "excluded_senders",
      "updated_at",
    ])
    .select((eb) => eb("api_key_sealed", "is not", null).as("has_api_key"))
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

export function listAiRequestsForExport(db: Executor, userId: string) {
  return db
    .selectFrom("ai_requests")
    .select([
      "feature",
      "provider",
      "model",
      "input_tokens",
      "output_tokens",
      "cost_micro_usd",
      "outcome",
      "created_at",
    ])
    .where("user_id", "=", userId)
    .orderBy("id")
    .execute();
}

/** The account's folders as last synced, for the mbox export (which reads each one from the server). */
export function listMailFoldersForExport(db: Executor, accountId: string) {
  return db
    .selectFrom("mail_folders")
    .select(["id", "path", "name", "uid_validity"])
    .where("account_id", "=", accountId)
    .orderBy("path")
    .execute();
}

/**
 * One page of a folder's stored messages by UID (after `afterUid`, ascending), with their sizes,
 * so the export fetches their sources from the server in bounded batches. Placeholder UIDs (below
 * 1: a local move not yet on the server) are left out.
 */
export function listMailMessageUidsForExport(db: Executor, folderId: string, afterUid: number, limit: number) {
  return db
    .selectFrom("mail_messages")
    .select(["uid", "size"])
    .where("folder_id", "=", folderId)
    .where("uid", ">", Math.max(afterUid, 0))
    .orderBy("uid")
    .limit(limit)
    .execute();
}
