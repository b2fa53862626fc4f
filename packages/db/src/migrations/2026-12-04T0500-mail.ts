import { type Kysely, sql } from "kysely";

/**
 * Mail storage: accounts (credentials sealed by the caller), folders with their sync state,
 * threads, messages with a weighted full-text vector, thread links and attachment metadata.
 * Everything hangs off the account, so removing an account removes all of it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("mail_accounts")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("email", "text", (col) => col.notNull())
    .addColumn("display_name", "text")
    .addColumn("provider", "text", (col) => col.notNull())
    .addColumn("imap_host", "text", (col) => col.notNull())
    .addColumn("imap_port", "integer", (col) => col.notNull())
    .addColumn("imap_security", "text", (col) => col.notNull().check(sql`imap_security in ('tls', 'starttls', 'none')`))
    .addColumn("imap_username", "text", (col) => col.notNull())
    .addColumn("smtp_host", "text", (col) => col.notNull())
    .addColumn("smtp_port", "integer", (col) => col.notNull())
    .addColumn("smtp_security", "text", (col) => col.notNull().check(sql`smtp_security in ('tls', 'starttls', 'none')`))
    .addColumn("smtp_username", "text", (col) => col.notNull())
    // Both passwords (or OAuth tokens) as one sealed JSON document (S23).
    .addColumn("credentials_sealed", "text", (col) => col.notNull())
    .addColumn("status", "text", (col) =>
      col.notNull().defaultTo("connecting").check(sql`status in ('connecting', 'syncing', 'ready', 'error', 'paused')`),
    )
    .addColumn("error_code", "text")
    .addColumn("error_message", "text")
    .addColumn("error_at", "timestamptz")
    .addColumn("sync_days", "integer", (col) => col.notNull().defaultTo(365))
    .addColumn("ai_enabled", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("last_sync_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("mail_accounts_user_email_key", ["user_id", "email"])
    .execute();

  await db.schema
    .createTable("mail_folders")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("account_id", "uuid", (col) => col.notNull().references("mail_accounts.id").onDelete("cascade"))
    .addColumn("path", "text", (col) => col.notNull())
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("role", "text", (col) =>
      col.check(sql`role in ('inbox', 'sent', 'drafts', 'trash', 'junk', 'archive', 'all')`),
    )
    .addColumn("uid_validity", "bigint")
    .addColumn("uid_next", "bigint")
    // MODSEQ is an unsigned 63-bit number: numeric keeps it exact (it reads back as a string).
    .addColumn("highest_modseq", "numeric(20, 0)")
    .addColumn("last_full_sync_at", "timestamptz")
    .addUniqueConstraint("mail_folders_account_path_key", ["account_id", "path"])
    .execute();

  await db.schema
    .createTable("mail_threads")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("account_id", "uuid", (col) => col.notNull().references("mail_accounts.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (col) => col.notNull())
    .addColumn("provider_thread_id", "text")
    .addColumn("subject", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("snippet", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("message_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("unread_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("flagged_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("has_attachments", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("last_message_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  // Keyset pagination: newest first, id as the tie-breaker, for one user or one account.
  await db.schema
    .createIndex("mail_threads_user_latest_idx")
    .on("mail_threads")
    .expression(sql`user_id, last_message_at desc, id desc`)
    .execute();
  await db.schema
    .createIndex("mail_threads_account_latest_idx")
    .on("mail_threads")
    .expression(sql`account_id, last_message_at desc, id desc`)
    .execute();
  await db.schema
    .createIndex("mail_threads_provider_id_key")
    .on("mail_threads")
    .columns(["account_id", "provider_thread_id"])
    .unique()
    .where(sql.ref("provider_thread_id"), "is not", null)
    .execute();

  // Every Message-ID a thread holds or references, so a later message finds (and merges) its threads.
  await db.schema
    .createTable("mail_thread_links")
    .addColumn("account_id", "uuid", (col) => col.notNull().references("mail_accounts.id").onDelete("cascade"))
    .addColumn("message_id", "text", (col) => col.notNull())
    .addColumn("thread_id", "uuid", (col) => col.notNull().references("mail_threads.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("mail_thread_links_pkey", ["account_id", "message_id"])
    .execute();
  await db.schema.createIndex("mail_thread_links_thread_idx").on("mail_thread_links").column("thread_id").execute();

  await db.schema
    .createTable("mail_messages")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("account_id", "uuid", (col) => col.notNull().references("mail_accounts.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (col) => col.notNull())
    .addColumn("folder_id", "uuid", (col) => col.notNull().references("mail_folders.id").onDelete("cascade"))
    .addColumn("thread_id", "uuid", (col) => col.notNull().references("mail_threads.id").onDelete("cascade"))
    .addColumn("uid", "bigint", (col) => col.notNull())
    .addColumn("modseq", "numeric(20, 0)")
    .addColumn("message_id", "text")
    .addColumn("in_reply_to", "text")
    .addColumn("references", sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'`))
    .addColumn("from_name", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("from_email", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("to", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("cc", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("reply_to", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    // Lower-cased "name email" of every recipient, for to: and the vector.
    .addColumn("recipients_text", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("subject", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("date", "timestamptz", (col) => col.notNull())
    .addColumn("snippet", "text", (col) => col.notNull().defaultTo(""))
    // Null beyond the sync window: only headers are kept there.
    .addColumn("text_body", "text")
    .addColumn("html_body", "text")
    .addColumn("has_remote_content", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("has_attachments", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("seen", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("flagged", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("answered", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("draft", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("size", "integer", (col) => col.notNull().defaultTo(0))
    // Subject weighs most, then addresses, then the first 100 000 characters of the body.
    // 'simple' (no stemming) because mail comes in every language.
    .addColumn("search", sql`tsvector`, (col) =>
      col
        .generatedAlwaysAs(sql`
        setweight(to_tsvector('simple'::regconfig, coalesce(subject, '')), 'A') ||
        setweight(to_tsvector('simple'::regconfig, from_name || ' ' || from_email || ' ' || recipients_text), 'B') ||
        setweight(to_tsvector('simple'::regconfig, left(coalesce(text_body, ''), 100000)), 'C')`)
        .stored(),
    )
    .addUniqueConstraint("mail_messages_folder_uid_key", ["folder_id", "uid"])
    .execute();
  await db.schema.createIndex("mail_messages_thread_idx").on("mail_messages").columns(["thread_id", "date"]).execute();
  await db.schema
    .createIndex("mail_messages_account_message_id_idx")
    .on("mail_messages")
    .columns(["account_id", "message_id"])
    .execute();
  await db.schema.createIndex("mail_messages_search_idx").on("mail_messages").using("gin").column("search").execute();

  await db.schema
    .createTable("mail_attachments")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("message_id", "uuid", (col) => col.notNull().references("mail_messages.id").onDelete("cascade"))
    .addColumn("filename", "text")
    .addColumn("content_type", "text", (col) => col.notNull())
    .addColumn("size", "integer", (col) => col.notNull())
    .addColumn("inline", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("content_id", "text")
    .execute();
  await db.schema.createIndex("mail_attachments_message_idx").on("mail_attachments").column("message_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "mail_attachments",
    "mail_messages",
    "mail_thread_links",
    "mail_threads",
    "mail_folders",
    "mail_accounts",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
