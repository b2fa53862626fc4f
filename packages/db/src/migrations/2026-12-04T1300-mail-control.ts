import { type Kysely, sql } from "kysely";

// What the API asks of the sync workers, kept on the account row so that any worker holding the
// account sees it: a resync request, and when the owner was last emailed about an account error.
// Also the foreign keys 2026-12-04T0600-ai left out, now that both table sets exist: removing a mail
// account or message removes its analyses, summaries and feedback.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("mail_accounts")
    .addColumn("resync_requested_at", "timestamptz")
    .addColumn("error_notified_at", "timestamptz")
    .execute();

  await sql`delete from ai_analyses a where not exists (select 1 from mail_messages m where m.id = a.message_id)`.execute(
    db,
  );
  await sql`delete from ai_feedback f where not exists (select 1 from mail_messages m where m.id = f.message_id)`.execute(
    db,
  );
  await sql`delete from ai_thread_summaries s where not exists (select 1 from mail_threads t where t.id = s.thread_id)`.execute(
    db,
  );
  await db.schema
    .alterTable("ai_analyses")
    .addForeignKeyConstraint("ai_analyses_message_fkey", ["message_id"], "mail_messages", ["id"], (fk) =>
      fk.onDelete("cascade"),
    )
    .execute();
  await db.schema
    .alterTable("ai_analyses")
    .addForeignKeyConstraint("ai_analyses_account_fkey", ["account_id"], "mail_accounts", ["id"], (fk) =>
      fk.onDelete("cascade"),
    )
    .execute();
  await db.schema
    .alterTable("ai_feedback")
    .addForeignKeyConstraint("ai_feedback_message_fkey", ["message_id"], "mail_messages", ["id"], (fk) =>
      fk.onDelete("cascade"),
    )
    .execute();
  await db.schema
    .alterTable("ai_thread_summaries")
    .addForeignKeyConstraint("ai_thread_summaries_thread_fkey", ["thread_id"], "mail_threads", ["id"], (fk) =>
      fk.onDelete("cascade"),
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("ai_thread_summaries").dropConstraint("ai_thread_summaries_thread_fkey").execute();
  await db.schema.alterTable("ai_feedback").dropConstraint("ai_feedback_message_fkey").execute();
  await db.schema.alterTable("ai_analyses").dropConstraint("ai_analyses_account_fkey").execute();
  await db.schema.alterTable("ai_analyses").dropConstraint("ai_analyses_message_fkey").execute();
  await db.schema
    .alterTable("mail_accounts")
    .dropColumn("error_notified_at")
    .dropColumn("resync_requested_at")
    .execute();
}
