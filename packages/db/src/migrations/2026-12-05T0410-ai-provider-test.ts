import { type Kysely, sql } from "kysely";

// "Test the provider" (ai.testProvider) makes one tiny paid call; the ledger records it under a
// feature of its own, so the usage page does not count it as triage.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ai_requests drop constraint ai_requests_feature_check`.execute(db);
  await sql`alter table ai_requests add constraint ai_requests_feature_check
    check (feature in ('triage', 'summary', 'draft', 'test'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from ai_requests where feature = 'test'`.execute(db);
  await sql`alter table ai_requests drop constraint ai_requests_feature_check`.execute(db);
  await sql`alter table ai_requests add constraint ai_requests_feature_check
    check (feature in ('triage', 'summary', 'draft'))`.execute(db);
}
