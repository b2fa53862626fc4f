import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

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

export interface Database {
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
