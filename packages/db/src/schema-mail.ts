import type { ColumnType, Generated, Selectable } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;
/** numeric(20,0): read back as a string so a 63-bit MODSEQ stays exact. */
type Modseq = ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
type Json<T> = ColumnType<T, string | undefined, string>;

export type MailSecurity = "tls" | "starttls" | "none";
export type MailAccountStatus = "connecting" | "syncing" | "ready" | "error" | "paused";
export type MailFolderRole = "inbox" | "sent" | "drafts" | "trash" | "junk" | "archive" | "all";
export interface MailAddress {
  name: string;
  email: string;
}

export interface MailAccountsTable {
  id: Generated<string>;
  user_id: string;
  email: string;
  display_name: string | null;
  provider: string;
  imap_host: string;
  imap_port: number;
  imap_security: MailSecurity;
  imap_username: string;
  smtp_host: string;
  smtp_port: number;
  smtp_security: MailSecurity;
  smtp_username: string;
  credentials_sealed: string;
  status: Defaulted<MailAccountStatus>;
  error_code: string | null;
  error_message: string | null;
  error_at: NullableTimestamp;
  sync_days: Defaulted<number>;
  ai_enabled: Defaulted<boolean>;
  last_sync_at: NullableTimestamp;
  /** Set by mailAccount.resync; the worker holding the account rebuilds it and clears this. */
  resync_requested_at: NullableTimestamp;
  /** When the owner was emailed about the current error (mail-account-error), so it is sent once. */
  error_notified_at: NullableTimestamp;
  /** The sync worker holding the account (see repositories/mail-leases.ts), and until when. */
  lease_owner: string | null;
  lease_expires_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** "password": credentials_sealed holds both passwords; "oauth2": it holds the OAuth tokens. */
  auth_method: Defaulted<MailAuthMethod>;
  oauth_provider: MailOAuthProvider | null;
}

export type MailAuthMethod = "password" | "oauth2";
export type MailOAuthProvider = "google" | "microsoft";

/** An OAuth2 authorization request in flight (authorization code + PKCE), used once. */
export interface MailOAuthStatesTable {
  /** SHA-256 (hex) of the `state` parameter; the state itself is only in the browser's URL. */
  state_hash: string;
  user_id: string;
  provider: MailOAuthProvider;
  code_verifier_sealed: string;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface MailFoldersTable {
  id: Generated<string>;
  account_id: string;
  path: string;
  name: string;
  role: MailFolderRole | null;
  uid_validity: number | null;
  uid_next: number | null;
  highest_modseq: Modseq;
  last_full_sync_at: NullableTimestamp;
}

export interface MailThreadsTable {
  id: Generated<string>;
  account_id: string;
  user_id: string;
  provider_thread_id: string | null;
  subject: Defaulted<string>;
  snippet: Defaulted<string>;
  message_count: Defaulted<number>;
  unread_count: Defaulted<number>;
  flagged_count: Defaulted<number>;
  has_attachments: Defaulted<boolean>;
  last_message_at: Timestamp;
}

export interface MailThreadLinksTable {
  account_id: string;
  message_id: string;
  thread_id: string;
}

export interface MailMessagesTable {
  id: Generated<string>;
  account_id: string;
  user_id: string;
  folder_id: string;
  thread_id: string;
  uid: number;
  modseq: Modseq;
  message_id: string | null;
  in_reply_to: string | null;
  references: Defaulted<string[]>;
  from_name: Defaulted<string>;
  from_email: Defaulted<string>;
  to: Json<MailAddress[]>;
  cc: Json<MailAddress[]>;
  reply_to: Json<MailAddress[]>;
  recipients_text: Defaulted<string>;
  subject: Defaulted<string>;
  date: ColumnType<Date, Date | string, Date | string>;
  snippet: Defaulted<string>;
  text_body: string | null;
  html_body: string | null;
  has_remote_content: Defaulted<boolean>;
  has_attachments: Defaulted<boolean>;
  seen: Defaulted<boolean>;
  flagged: Defaulted<boolean>;
  answered: Defaulted<boolean>;
  draft: Defaulted<boolean>;
  size: Defaulted<number>;
  /** The header fields the AI rules read, names in lower case (see parseMessage); null before they were kept. */
  headers: ColumnType<Record<string, string> | null, string | null | undefined, string | null>;
  search: ColumnType<string, never, never>;
}

export interface MailAttachmentsTable {
  id: Generated<string>;
  message_id: string;
  filename: string | null;
  content_type: string;
  size: number;
  inline: Defaulted<boolean>;
  content_id: string | null;
}

/** The user's mail dashboard visits (one row per user). */
export interface DashboardVisitsTable {
  user_id: string;
  previous_seen_at: NullableTimestamp;
  visit_started_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface MailDatabase {
  dashboard_visits: DashboardVisitsTable;
  mail_accounts: MailAccountsTable;
  mail_folders: MailFoldersTable;
  mail_threads: MailThreadsTable;
  mail_thread_links: MailThreadLinksTable;
  mail_messages: MailMessagesTable;
  mail_attachments: MailAttachmentsTable;
  mail_oauth_states: MailOAuthStatesTable;
  mail_remote_content_senders: MailRemoteContentSendersTable;
}

export type MailAccountRow = Selectable<MailAccountsTable>;
export type MailFolderRow = Selectable<MailFoldersTable>;
export type MailThreadRow = Selectable<MailThreadsTable>;
export type MailMessageRow = Selectable<MailMessagesTable>;
export type MailAttachmentRow = Selectable<MailAttachmentsTable>;
export type MailOAuthStateRow = Selectable<MailOAuthStatesTable>;

/** Senders whose remote images, fonts and CSS the user always loads (S26: "for that sender"). */
export interface MailRemoteContentSendersTable {
  user_id: string;
  /** Lower-cased address. */
  sender: string;
  created_at: Timestamp;
}
