import { type Kysely, sql } from "kysely";

// Which sync worker holds a mail account, and until when. A worker renews its leases every third
// of the lease time; one that dies stops renewing, and another takes the account once the lease
// has run out. Kept on the account row so that one UPDATE ... FOR UPDATE SKIP LOCKED hands out
// accounts, the same way on Postgres and PGlite (embedded mode).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("mail_accounts")
    .addColumn("lease_owner", "text")
    .addColumn("lease_expires_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("mail_accounts_lease_idx")
    .on("mail_accounts")
    .columns(["lease_expires_at"])
    .where(sql.ref("status"), "<>", "paused")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("mail_accounts_lease_idx").execute();
  await db.schema.alterTable("mail_accounts").dropColumn("lease_expires_at").dropColumn("lease_owner").execute();
}
