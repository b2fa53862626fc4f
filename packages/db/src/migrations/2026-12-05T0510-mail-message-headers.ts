import type { Kysely } from "kysely";

// The few header fields the AI rules read (Auto-Submitted, Precedence, List-Id, List-Unsubscribe,
// X-Mailer, ...), kept as a small JSON object per message: mail from programs and lists is told
// apart from mail from people by them. Null for messages stored before this column existed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("mail_messages").addColumn("headers", "jsonb").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("mail_messages").dropColumn("headers").execute();
}
