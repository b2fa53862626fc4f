import { type Kysely, sql } from "kysely";

// The people a user corresponds with, per mail account and lower-cased address, for address
// autocomplete in the composer. Kept up to date as messages are stored (sync) and sent, so a lookup
// reads a few hundred rows of this table instead of aggregating the to/cc JSON of every message.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("mail_contacts")
    .addColumn("account_id", "uuid", (col) => col.notNull().references("mail_accounts.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("email", "text", (col) => col.notNull().check(sql`email = lower(email)`))
    .addColumn("name", "text", (col) => col.notNull().defaultTo(""))
    // Messages the user sent to the address (to, cc or bcc) and received from it.
    .addColumn("sent_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("received_count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("last_at", "timestamptz", (col) => col.notNull())
    .addPrimaryKeyConstraint("mail_contacts_pk", ["account_id", "email"])
    .execute();
  await db.schema.createIndex("mail_contacts_user_idx").on("mail_contacts").column("user_id").execute();
  // A synced copy of a message sent from here was counted when it was sent: the sync looks it up.
  await db.schema
    .createIndex("mail_outgoing_account_message_id_idx")
    .on("mail_outgoing")
    .columns(["account_id", "message_id"])
    .execute();
  // The correspondents of the mail stored so far (the same rules as recordMailContactsOf).
  await sql`
    insert into mail_contacts (account_id, user_id, email, name, sent_count, received_count, last_at)
    select account_id, user_id, email,
      coalesce((array_agg(name order by at desc) filter (where name <> ''))[1], ''),
      sum(sent), sum(received), max(at)
    from (
      select distinct on (m.account_id, coalesce(m.message_id, m.id::text)) m.*,
        (lower(m.from_email) = lower(a.email) or f.role = 'sent') as outgoing
      from mail_messages m
      join mail_accounts a on a.id = m.account_id
      join mail_folders f on f.id = m.folder_id
    ) m
    cross join lateral (
      select lower(trim(r->>'email')) as email, coalesce(r->>'name', '') as name, 1 as sent, 0 as received, m.date as at
      from jsonb_array_elements(m."to" || m.cc) r where m.outgoing
      union all
      select lower(trim(m.from_email)), m.from_name, 0, 1, m.date where not m.outgoing
    ) c
    where c.email like '_%@_%'
    group by account_id, user_id, email
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("mail_outgoing_account_message_id_idx").execute();
  await db.schema.dropTable("mail_contacts").execute();
}
