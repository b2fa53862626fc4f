import type { ColumnType, Generated, Selectable } from "kysely";
import type { MailAddress } from "./schema-mail.ts";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;
type Json<T> = ColumnType<T, string | undefined, string>;
/** bigint column holding an IMAP UID (pg reads int8 as a string). */
type Uid = ColumnType<string | null, number | string | null | undefined, number | string | null>;

export type MailOutgoingStatus = "queued" | "sending" | "sent" | "failed" | "cancelled";

export interface MailUploadsTable {
  id: Generated<string>;
  user_id: string;
  filename: string;
  content_type: string;
  size: number;
  content: Buffer;
  created_at: Timestamp;
}

export interface MailDraftsTable {
  id: Generated<string>;
  user_id: string;
  account_id: string;
  to: Json<MailAddress[]>;
  cc: Json<MailAddress[]>;
  bcc: Json<MailAddress[]>;
  subject: Defaulted<string>;
  text_body: Defaulted<string>;
  html_body: string | null;
  reply_to_message_id: string | null;
  attachment_ids: Defaulted<string[]>;
  message_id: string;
  revision: Defaulted<number>;
  server_revision: number | null;
  server_folder: string | null;
  server_uid: Uid;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MailOutgoingTable {
  id: Generated<string>;
  user_id: string;
  account_id: string;
  draft_id: string | null;
  status: Defaulted<MailOutgoingStatus>;
  send_at: ColumnType<Date, Date | string, Date | string>;
  message_id: string;
  from_name: Defaulted<string>;
  from_email: string;
  to: Json<MailAddress[]>;
  cc: Json<MailAddress[]>;
  bcc: Json<MailAddress[]>;
  subject: string;
  text_body: string;
  html_body: string | null;
  in_reply_to: string | null;
  references: Defaulted<string[]>;
  reply_to_message_id: string | null;
  forward_of_message_id: Defaulted<string | null>;
  attachment_ids: Defaulted<string[]>;
  attempts: Defaulted<number>;
  delivered_at: NullableTimestamp;
  sent_at: NullableTimestamp;
  error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MailOutgoingDatabase {
  mail_uploads: MailUploadsTable;
  mail_drafts: MailDraftsTable;
  mail_outgoing: MailOutgoingTable;
}

export type MailUploadRow = Selectable<MailUploadsTable>;
export type MailDraftRow = Selectable<MailDraftsTable>;
export type MailOutgoingRow = Selectable<MailOutgoingTable>;
