import { type Kysely, sql } from "kysely";

/**
 * Sending: uploaded attachments (kept in the database, outside any web root, S28), drafts (with the
 * UID of their copy in the account's Drafts folder) and outgoing messages waiting for their undo
 * window to pass, being sent, sent, failed or cancelled.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("mail_uploads")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("filename", "text", (col) => col.notNull())
    .addColumn("content_type", "text", (col) => col.notNull())
    .addColumn("size", "integer", (col) => col.notNull())
    .addColumn("content", "bytea", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("mail_uploads_user_idx").on("mail_uploads").column("user_id").execute();

  await db.schema
    .createTable("mail_drafts")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("account_id", "uuid", (col) => col.notNull().references("mail_accounts.id").onDelete("cascade"))
    .addColumn("to", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("cc", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("bcc", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("subject", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("text_body", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("html_body", "text")
    .addColumn("reply_to_message_id", "uuid", (col) => col.references("mail_messages.id").onDelete("set null"))
    .addColumn("attachment_ids", sql`uuid[]`, (col) => col.notNull().defaultTo(sql`'{}'::uuid[]`))
    // Our Message-ID for the server copy, so the synced copy in Drafts is recognised.
    .addColumn("message_id", "text", (col) => col.notNull())
    // Each save counts up; the server copy records which save it holds, so a slow older save never
    // replaces a newer one.
    .addColumn("revision", "integer", (col) => col.notNull().defaultTo(1))
    .addColumn("server_revision", "integer")
    .addColumn("server_folder", "text")
    .addColumn("server_uid", "bigint")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("mail_drafts_user_idx").on("mail_drafts").columns(["user_id", "updated_at"]).execute();

  await db.schema
    .createTable("mail_outgoing")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("account_id", "uuid", (col) => col.notNull().references("mail_accounts.id").onDelete("cascade"))
    .addColumn("draft_id", "uuid", (col) => col.references("mail_drafts.id").onDelete("set null"))
    .addColumn("status", "text", (col) =>
      col.notNull().defaultTo("queued").check(sql`status in ('queued', 'sending', 'sent', 'failed', 'cancelled')`),
    )
    .addColumn("send_at", "timestamptz", (col) => col.notNull())
    .addColumn("message_id", "text", (col) => col.notNull())
    .addColumn("from_name", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("from_email", "text", (col) => col.notNull())
    .addColumn("to", "jsonb", (col) => col.notNull())
    .addColumn("cc", "jsonb", (col) => col.notNull())
    .addColumn("bcc", "jsonb", (col) => col.notNull())
    .addColumn("subject", "text", (col) => col.notNull())
    .addColumn("text_body", "text", (col) => col.notNull())
    .addColumn("html_body", "text")
    .addColumn("in_reply_to", "text")
    .addColumn("references", sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'::text[]`))
    // The local message answered, so the job can set \Answered on it.
    .addColumn("reply_to_message_id", "uuid", (col) => col.references("mail_messages.id").onDelete("set null"))
    // The message forwarded, whose attachments go along (fetched from IMAP when sending).
    .addColumn("forward_of_message_id", "uuid", (col) => col.references("mail_messages.id").onDelete("set null"))
    .addColumn("attachment_ids", sql`uuid[]`, (col) => col.notNull().defaultTo(sql`'{}'::uuid[]`))
    .addColumn("attempts", "integer", (col) => col.notNull().defaultTo(0))
    // Set once SMTP accepted the message: a retry (Sent append failed) must not send it twice.
    .addColumn("delivered_at", "timestamptz")
    .addColumn("sent_at", "timestamptz")
    .addColumn("error", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("mail_outgoing_user_idx")
    .on("mail_outgoing")
    .columns(["user_id", "created_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("mail_outgoing").execute();
  await db.schema.dropTable("mail_drafts").execute();
  await db.schema.dropTable("mail_uploads").execute();
}
