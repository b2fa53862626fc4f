import { type Kysely, sql } from "kysely";

// Every server start reads the sessions ended in the last minutes (to announce them again); the
// partial index keeps that read small however many sessions have ever been ended.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("sessions_revoked_at_idx")
    .on("sessions")
    .column("revoked_at")
    .where(sql.ref("revoked_at"), "is not", null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("sessions_revoked_at_idx").execute();
}
