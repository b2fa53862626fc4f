import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";
import type { AiDatabase } from "./schema-ai.ts";
import type { MailDatabase } from "./schema-mail.ts";
import type { MailContactsDatabase } from "./schema-mail-contacts.ts";
import type { MailOutgoingDatabase } from "./schema-mail-outgoing.ts";
import type { ProtectionDatabase } from "./schema-protection.ts";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type UserRole = "user" | "admin";

export interface UsersTable {
  id: Generated<string>;
  /** As the user typed it (trimmed), for display and for addressing mail. */
  email: string;
  /** Lower-cased NFKC form; the unique key that makes `A@x.io` and `a@x.io` one account. */
  email_normalized: string;
  display_name: string | null;
  password_hash: string | null;
  email_verified_at: NullableTimestamp;
  role: ColumnType<UserRole, UserRole | undefined, UserRole>;
  failed_login_count: ColumnType<number, number | undefined, number>;
  locked_at: NullableTimestamp;
  disabled_at: NullableTimestamp;
  last_login_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OutboxTable {
  id: Generated<string>;
  queue: string;
  job_name: string;
  payload: ColumnType<unknown, string, string>;
  created_at: Timestamp;
  relay_attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
}

export type EmailDeliveryStatus = "sending" | "retrying" | "sent" | "failed";

export interface EmailDeliveriesTable {
  id: string;
  template: string;
  recipient: string;
  status: EmailDeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  message_id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  sent_at: NullableTimestamp;
}

export interface DevMailboxTable {
  id: Generated<string>;
  message_id: string;
  sender: string;
  recipient: string;
  subject: string;
  html: string;
  text: string;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  created_at: Timestamp;
  last_used_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  revoked_at: NullableTimestamp;
  revoked_reason: string | null;
  ip: string;
  user_agent: string;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  session_id: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  rotated_at: NullableTimestamp;
  successor_id: string | null;
  successor_sealed: string | null;
}

export type OneTimeTokenPurpose = "verify_email" | "password_reset" | "unlock_account" | "invitation";

export interface OneTimeTokensTable {
  id: Generated<string>;
  user_id: string;
  purpose: OneTimeTokenPurpose;
  token_hash: string;
  created_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: NullableTimestamp;
}

export interface AuditEventsTable {
  id: ColumnType<string, never, never>;
  user_id: string | null;
  type: string;
  ip: string | null;
  user_agent: string | null;
  metadata: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
}

export interface SigningKeysTable {
  kid: string;
  private_jwk_sealed: string;
  public_jwk: ColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
}

export interface Database
  extends MailDatabase,
    MailOutgoingDatabase,
    AiDatabase,
    ProtectionDatabase,
    MailContactsDatabase {
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  one_time_tokens: OneTimeTokensTable;
  audit_events: AuditEventsTable;
  signing_keys: SigningKeysTable;
  users: UsersTable;
  outbox: OutboxTable;
  email_deliveries: EmailDeliveriesTable;
  dev_mailbox: DevMailboxTable;
}

export type OutboxRow = Selectable<OutboxTable>;
export type EmailDelivery = Selectable<EmailDeliveriesTable>;
export type DevMailboxEmail = Selectable<DevMailboxTable>;

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;

export type Session = Selectable<SessionsTable>;
export type RefreshToken = Selectable<RefreshTokensTable>;
export type OneTimeToken = Selectable<OneTimeTokensTable>;
export type AuditEvent = Selectable<AuditEventsTable>;
