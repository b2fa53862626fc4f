import { type Kysely, sql } from "kysely";

// When each user last looked at the mail dashboard, so it can say what arrived since then on any
// device (localStorage would forget it per browser). One row per user, gone with the user.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("dashboard_visits")
    .addColumn("user_id", "uuid", (col) => col.primaryKey().references("users.id").onDelete("cascade"))
    // The end of the visit before the current one: "since your last visit" starts here.
    .addColumn("previous_seen_at", "timestamptz")
    // When the current visit began (a first visit looks back a fixed time from here).
    .addColumn("visit_started_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    // The latest time the dashboard was shown; a gap after it starts a new visit.
    .addColumn("last_seen_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("dashboard_visits").execute();
}
