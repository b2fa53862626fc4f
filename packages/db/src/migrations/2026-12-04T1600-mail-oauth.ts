import { type Kysely, sql } from "kysely";

// OAuth2 mailboxes (Gmail, Microsoft 365): how an account signs in to IMAP/SMTP, and the
// authorization requests in flight. A pending request is found by the hash of its `state` (the
// state itself travels through the browser), holds the PKCE verifier sealed, belongs to one user
// and expires within minutes; the callback deletes it as it reads it, so it is used once.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("mail_accounts")
    .addColumn("auth_method", "text", (col) =>
      col.notNull().defaultTo("password").check(sql`auth_method in ('password', 'oauth2')`),
    )
    .addColumn("oauth_provider", "text", (col) => col.check(sql`oauth_provider in ('google', 'microsoft')`))
    .execute();

  await db.schema
    .createTable("mail_oauth_states")
    .addColumn("state_hash", "text", (col) => col.primaryKey())
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("provider", "text", (col) => col.notNull().check(sql`provider in ('google', 'microsoft')`))
    .addColumn("code_verifier_sealed", "text", (col) => col.notNull())
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("mail_oauth_states_expires_idx").on("mail_oauth_states").column("expires_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("mail_oauth_states").execute();
  await db.schema.alterTable("mail_accounts").dropColumn("oauth_provider").dropColumn("auth_method").execute();
}
