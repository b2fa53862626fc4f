import { type Kysely, sql } from "kysely";

// S32 with a provider whose reported usage breaks the reservation's upper bound (a server that
// counts tokens differently, or inflates them): the period learns a factor for later reservations,
// and until one call has settled within its reservation, only one call at a time is in flight, so
// such a provider overruns the budget by at most one call.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ai_budget_periods
    add column usage_factor double precision not null default 1,
    add column bound_trusted boolean not null default false,
    add column probe_started_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ai_budget_periods
    drop column usage_factor,
    drop column bound_trusted,
    drop column probe_started_at`.execute(db);
}
