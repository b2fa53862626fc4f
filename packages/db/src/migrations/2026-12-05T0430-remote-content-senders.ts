import { type Kysely, sql } from "kysely";

// The senders whose remote content (images, fonts, CSS) a user chose to always load (S26 allows
// it "for that message or sender"); every other message keeps remote content blocked.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("mail_remote_content_senders")
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("sender", "text", (col) => col.notNull().check(sql`sender = lower(sender)`))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("mail_remote_content_senders_pk", ["user_id", "sender"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("mail_remote_content_senders").execute();
}
