import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("email", "text", (col) => col.notNull())
    .addColumn("email_normalized", "text", (col) =>
      col.notNull().unique().check(sql`char_length(email_normalized) <= 320`),
    )
    .addColumn("display_name", "text")
    .addColumn("password_hash", "text")
    .addColumn("email_verified_at", "timestamptz")
    .addColumn("role", "text", (col) => col.notNull().defaultTo("user").check(sql`role in ('user', 'admin')`))
    .addColumn("failed_login_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("locked_at", "timestamptz")
    .addColumn("disabled_at", "timestamptz")
    .addColumn("last_login_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("users_created_at_idx").on("users").column("created_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("users").execute();
}
