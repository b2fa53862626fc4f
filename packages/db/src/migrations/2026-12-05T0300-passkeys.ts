import { type ColumnDefinitionBuilder, type Kysely, sql } from "kysely";

// Passkeys (WebAuthn, S34): the credentials people register, and the challenges handed to their
// browsers. A challenge is single use, expires, and names what it is for and whom it is bound to
// (the signed-in session for a registration, the sign-in's `mfaToken` for a second factor), so
// one handed to another session or another sign-in is refused.
export async function up(db: Kysely<unknown>): Promise<void> {
  const owner = (col: ColumnDefinitionBuilder) => col.notNull().references("users.id").onDelete("cascade");
  const now = (col: ColumnDefinitionBuilder) => col.notNull().defaultTo(sql`now()`);

  await db.schema
    .createTable("passkeys")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", owner)
    // base64url, as the browser reports it; unique across users, as a credential has one owner.
    .addColumn("credential_id", "text", (col) => col.notNull().unique())
    // The COSE public key, base64url. Public, so stored as it is.
    .addColumn("public_key", "text", (col) => col.notNull())
    // The authenticator's signature counter: a later assertion must bring a higher one (cloned keys).
    .addColumn("counter", "bigint", (col) => col.notNull().defaultTo(0))
    .addColumn("transports", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("device_type", "text", (col) => col.notNull().check(sql`device_type in ('singleDevice', 'multiDevice')`))
    .addColumn("backed_up", "boolean", (col) => col.notNull())
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", now)
    .addColumn("last_used_at", "timestamptz")
    .execute();
  await db.schema.createIndex("passkeys_user_idx").on("passkeys").columns(["user_id", "created_at"]).execute();

  await db.schema
    .createTable("webauthn_challenges")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("challenge", "text", (col) => col.notNull().unique())
    .addColumn("purpose", "text", (col) =>
      col.notNull().check(sql`purpose in ('register', 'second_factor', 'passwordless')`),
    )
    .addColumn("user_id", "uuid", (col) => col.references("users.id").onDelete("cascade"))
    .addColumn("session_id", "uuid", (col) => col.references("sessions.id").onDelete("cascade"))
    .addColumn("mfa_challenge_id", "uuid", (col) => col.references("mfa_challenges.id").onDelete("cascade"))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("created_at", "timestamptz", now)
    .execute();
  await db.schema
    .createIndex("webauthn_challenges_expires_idx")
    .on("webauthn_challenges")
    .column("expires_at")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("webauthn_challenges").execute();
  await db.schema.dropTable("passkeys").execute();
}
