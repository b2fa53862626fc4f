import { type ColumnDefinitionBuilder, type Kysely, sql } from "kysely";

// Account protection (S33, S35): TOTP two-factor with its recovery codes and sign-in challenges,
// invitations for invite-only deployments, and pending email changes. Secrets are sealed (the TOTP
// key) or stored only as SHA-256 hashes (codes and link tokens).
export async function up(db: Kysely<unknown>): Promise<void> {
  const owner = (col: ColumnDefinitionBuilder) => col.notNull().references("users.id").onDelete("cascade");
  const now = (col: ColumnDefinitionBuilder) => col.notNull().defaultTo(sql`now()`);

  // One row per user who started a TOTP setup. `pending_secret_sealed` waits for the first code;
  // `last_used_step` is the newest 30 s step accepted, so a code works once (no replay).
  await db.schema
    .createTable("user_totp")
    .addColumn("user_id", "uuid", (col) => owner(col).primaryKey())
    .addColumn("pending_secret_sealed", "text")
    .addColumn("secret_sealed", "text")
    .addColumn("enabled_at", "timestamptz")
    .addColumn("last_used_step", "bigint")
    .addColumn("created_at", "timestamptz", now)
    .addColumn("updated_at", "timestamptz", now)
    .execute();

  await db.schema
    .createTable("recovery_codes")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", owner)
    .addColumn("code_hash", "text", (col) => col.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("created_at", "timestamptz", now)
    .execute();
  await db.schema
    .createIndex("recovery_codes_user_hash_idx")
    .on("recovery_codes")
    .columns(["user_id", "code_hash"])
    .unique()
    .execute();

  // The second step of a sign-in: the `mfaToken` auth.login hands out (single use, 5 minutes).
  await db.schema
    .createTable("mfa_challenges")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", owner)
    .addColumn("token_hash", "text", (col) => col.notNull().unique())
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("created_at", "timestamptz", now)
    .execute();
  await db.schema.createIndex("mfa_challenges_user_idx").on("mfa_challenges").column("user_id").execute();

  await db.schema
    .createTable("invitations")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("email", "text", (col) => col.notNull())
    .addColumn("email_normalized", "text", (col) => col.notNull())
    .addColumn("role", "text", (col) => col.notNull().check(sql`role in ('user', 'admin')`))
    .addColumn("token_hash", "text", (col) => col.notNull().unique())
    .addColumn("invited_by", "uuid", (col) => col.references("users.id").onDelete("set null"))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("accepted_at", "timestamptz")
    .addColumn("accepted_user_id", "uuid", (col) => col.references("users.id").onDelete("set null"))
    .addColumn("revoked_at", "timestamptz")
    .addColumn("created_at", "timestamptz", now)
    .execute();
  await db.schema.createIndex("invitations_created_idx").on("invitations").columns(["created_at", "id"]).execute();
  await db.schema.createIndex("invitations_email_idx").on("invitations").column("email_normalized").execute();

  await db.schema
    .createTable("email_changes")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", owner)
    .addColumn("new_email", "text", (col) => col.notNull())
    .addColumn("new_email_normalized", "text", (col) => col.notNull())
    .addColumn("token_hash", "text", (col) => col.notNull().unique())
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("created_at", "timestamptz", now)
    .execute();
  await db.schema.createIndex("email_changes_user_idx").on("email_changes").column("user_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["email_changes", "invitations", "mfa_challenges", "recovery_codes", "user_totp"]) {
    await db.schema.dropTable(table).execute();
  }
}
