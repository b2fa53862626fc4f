import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // Jobs written in the same transaction as the change that causes them; a relay moves them to the queue.
  await db.schema
    .createTable("outbox")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("queue", "text", (col) => col.notNull())
    .addColumn("job_name", "text", (col) => col.notNull())
    .addColumn("payload", "jsonb", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("relay_attempts", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .execute();
  await db.schema.createIndex("outbox_created_at_idx").on("outbox").column("created_at").execute();

  // One row per email job (its id is the outbox row's and the job's): what happened to it.
  await db.schema
    .createTable("email_deliveries")
    .addColumn("id", "uuid", (col) => col.primaryKey())
    .addColumn("template", "text", (col) => col.notNull())
    .addColumn("recipient", "text", (col) => col.notNull())
    .addColumn("status", "text", (col) => col.notNull().check(sql`status in ('sending', 'retrying', 'sent', 'failed')`))
    .addColumn("attempts", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addColumn("message_id", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("sent_at", "timestamptz")
    .execute();
  await db.schema.createIndex("email_deliveries_status_idx").on("email_deliveries").column("status").execute();

  // Emails "sent" where no SMTP server is configured, shown at /dev/mailbox.
  await db.schema
    .createTable("dev_mailbox")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("message_id", "text", (col) => col.notNull())
    .addColumn("sender", "text", (col) => col.notNull())
    .addColumn("recipient", "text", (col) => col.notNull())
    .addColumn("subject", "text", (col) => col.notNull())
    .addColumn("html", "text", (col) => col.notNull())
    .addColumn("text", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("dev_mailbox_created_at_idx").on("dev_mailbox").column("created_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("dev_mailbox").execute();
  await db.schema.dropTable("email_deliveries").execute();
  await db.schema.dropTable("outbox").execute();
}
