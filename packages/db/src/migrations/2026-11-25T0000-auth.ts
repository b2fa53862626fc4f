import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("sessions")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("last_used_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("revoked_at", "timestamptz")
    .addColumn("revoked_reason", "text")
    .addColumn("ip", "text", (col) => col.notNull())
    .addColumn("user_agent", "text", (col) => col.notNull())
    .execute();
  await db.schema.createIndex("sessions_user_id_idx").on("sessions").columns(["user_id", "created_at"]).execute();

  // Refresh tokens are stored only as SHA-256 hashes. A rotated token keeps its successor sealed
  // (encrypted) for the grace window, so a concurrent tab presenting the old one gets the same successor.
  await db.schema
    .createTable("refresh_tokens")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("session_id", "uuid", (col) => col.notNull().references("sessions.id").onDelete("cascade"))
    .addColumn("token_hash", "text", (col) => col.notNull().unique())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("rotated_at", "timestamptz")
    .addColumn("successor_id", "uuid")
    .addColumn("successor_sealed", "text")
    .execute();
  await db.schema.createIndex("refresh_tokens_session_id_idx").on("refresh_tokens").column("session_id").execute();

  await db.schema
    .createTable("one_time_tokens")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("purpose", "text", (col) =>
      col.notNull().check(sql`purpose in ('verify_email', 'password_reset', 'unlock_account', 'invitation')`),
    )
    .addColumn("token_hash", "text", (col) => col.notNull().unique())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("used_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("one_time_tokens_user_purpose_idx")
    .on("one_time_tokens")
    .columns(["user_id", "purpose"])
    .execute();

  await db.schema
    .createTable("audit_events")
    .addColumn("id", "bigserial", (col) => col.primaryKey())
    .addColumn("user_id", "uuid", (col) => col.references("users.id").onDelete("set null"))
    .addColumn("type", "text", (col) => col.notNull())
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("metadata", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("audit_events_user_idx").on("audit_events").columns(["user_id", "id"]).execute();
  await db.schema.createIndex("audit_events_type_idx").on("audit_events").columns(["type", "id"]).execute();

  // Embedded mode keeps its generated JWT signing keys here, private parts sealed with the encryption key.
  await db.schema
    .createTable("signing_keys")
    .addColumn("kid", "text", (col) => col.primaryKey())
    .addColumn("private_jwk_sealed", "text", (col) => col.notNull())
    .addColumn("public_jwk", "jsonb", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["signing_keys", "audit_events", "one_time_tokens", "refresh_tokens", "sessions"]) {
    await db.schema.dropTable(table).execute();
  }
}
