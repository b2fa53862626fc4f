import { type Kysely, sql } from "kysely";

// The user's recent mail searches, on the server so they follow the user to every device; gone
// with the user (cascade).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("mail_recent_searches")
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("query", "text", (col) => col.notNull())
    .addColumn("searched_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("mail_recent_searches_pk", ["user_id", "query"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("mail_recent_searches").execute();
}
