export { type Kysely, sql, type Transaction } from "kysely";
export { createDatabase, type DatabaseHandle, type DatabaseKind, type DatabaseOptions } from "./client.ts";
export { DataFolderInUseError, lockFileName } from "./data-folder-lock.ts";
export type { Executor } from "./executor.ts";
export { MigrationFailedError, migrateToLatest } from "./migrate.ts";
export { migrations } from "./migrations/index.ts";
export * from "./repositories/account-deletion.ts";
export * from "./repositories/account-export.ts";
export * from "./repositories/ai-analyses.ts";
export * from "./repositories/ai-inputs.ts";
export * from "./repositories/ai-local-models.ts";
export * from "./repositories/ai-settings.ts";
export * from "./repositories/ai-usage.ts";
export * from "./repositories/audit-events.ts";
export * from "./repositories/dev-mailbox.ts";
export * from "./repositories/email-changes.ts";
export * from "./repositories/email-deliveries.ts";
export * from "./repositories/housekeeping.ts";
export * from "./repositories/invitations.ts";
export * from "./repositories/mail-accounts.ts";
export * from "./repositories/mail-contacts.ts";
export * from "./repositories/mail-dashboard.ts";
export * from "./repositories/mail-drafts.ts";
export * from "./repositories/mail-folders.ts";
export * from "./repositories/mail-leases.ts";
export * from "./repositories/mail-messages.ts";
export * from "./repositories/mail-oauth.ts";
export * from "./repositories/mail-outgoing.ts";
export * from "./repositories/mail-recent-searches.ts";
export * from "./repositories/mail-remote-content.ts";
export * from "./repositories/mail-threads.ts";
export * from "./repositories/mail-uploads.ts";
export * from "./repositories/mfa.ts";
export * from "./repositories/one-time-token-owner.ts";
export * from "./repositories/one-time-tokens.ts";
export * from "./repositories/outbox.ts";
export * from "./repositories/passkeys.ts";
export * from "./repositories/sessions.ts";
export * from "./repositories/signing-keys.ts";
export * from "./repositories/users.ts";
export type {
  AuditEvent,
  Database,
  DevMailboxEmail,
  EmailDelivery,
  EmailDeliveryStatus,
  NewUser,
  OneTimeToken,
  OneTimeTokenPurpose,
  OutboxRow,
  RefreshToken,
  Session,
  User,
  UserRole,
  UsersTable,
  UserUpdate,
} from "./schema.ts";
export type {
  AiAnalysisRow,
  AiDatabase,
  AiFeatureName,
  AiPriority,
  AiProviderKind,
  AiRequestRow,
  AiSettingsPatch,
  AiSettingsRow,
} from "./schema-ai.ts";
export type * from "./schema-mail.ts";
export type * from "./schema-mail-outgoing.ts";
export type * from "./schema-protection.ts";
