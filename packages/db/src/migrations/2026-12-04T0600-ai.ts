import { type ColumnDefinitionBuilder, type Kysely, sql } from "kysely";

// AI storage. Messages, threads and mail accounts are referenced by id columns WITHOUT foreign keys:
// their tables arrive in 2026-12-04T0500-mail, written concurrently; a later migration adds the
// foreign keys (ON DELETE CASCADE) once both are on main. Users are referenced with foreign keys.
// Money is kept in integer micro-dollars (1e-6 USD) so ledger sums are exact.
export async function up(db: Kysely<unknown>): Promise<void> {
  const userId = (col: ColumnDefinitionBuilder) => col.notNull().references("users.id").onDelete("cascade");

  // Per-user overrides of the deployment defaults; a null column means "use the default".
  await db.schema
    .createTable("ai_settings")
    .addColumn("user_id", "uuid", (col) => userId(col).primaryKey())
    .addColumn("provider", "text", (col) => col.check(sql`provider in ('local', 'openai', 'compatible')`))
    .addColumn("base_url", "text")
    .addColumn("model_triage", "text")
    .addColumn("model_summary", "text")
    .addColumn("model_draft", "text")
    .addColumn("api_key_sealed", "text")
    .addColumn("monthly_budget_micro_usd", "bigint", (col) => col.check(sql`monthly_budget_micro_usd >= 0`))
    .addColumn("feature_triage", "boolean")
    .addColumn("feature_summaries", "boolean")
    .addColumn("feature_drafts", "boolean")
    .addColumn("excluded_account_ids", sql`uuid[]`, (col) => col.notNull().defaultTo(sql`'{}'`))
    .addColumn("excluded_senders", sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // One row per message: the analysis, or why it is not there yet (a failed call is kept and retried).
  await db.schema
    .createTable("ai_analyses")
    .addColumn("message_id", "uuid", (col) => col.primaryKey())
    .addColumn("user_id", "uuid", (col) => userId(col))
    .addColumn("account_id", "uuid", (col) => col.notNull())
    .addColumn("status", "text", (col) => col.notNull().check(sql`status in ('ready', 'failed')`))
    .addColumn("priority", "text", (col) => col.check(sql`priority in ('high', 'normal', 'low')`))
    .addColumn("category", "text")
    .addColumn("needs_reply", "boolean")
    .addColumn("summary", "text")
    .addColumn("action_items", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("reasons", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("provider", "text", (col) => col.notNull())
    .addColumn("model", "text", (col) => col.notNull())
    .addColumn("attempts", "integer", (col) => col.notNull().defaultTo(1))
    .addColumn("last_error", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      "ai_analyses_ready_complete",
      sql`status <> 'ready' or (priority is not null and category is not null and needs_reply is not null and summary is not null)`,
    )
    .execute();
  await db.schema.createIndex("ai_analyses_user_idx").on("ai_analyses").columns(["user_id", "status"]).execute();

  // Cached until the thread changes: `thread_version` is what the caller derives from the thread
  // (e.g. its newest message id and count); a different version is a miss.
  await db.schema
    .createTable("ai_thread_summaries")
    .addColumn("thread_id", "uuid", (col) => col.primaryKey())
    .addColumn("user_id", "uuid", (col) => userId(col))
    .addColumn("thread_version", "text", (col) => col.notNull())
    .addColumn("summary", "jsonb", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // The per-call ledger (S32).
  await db.schema
    .createTable("ai_requests")
    .addColumn("id", "bigserial", (col) => col.primaryKey())
    .addColumn("user_id", "uuid", (col) => userId(col))
    .addColumn("feature", "text", (col) => col.notNull().check(sql`feature in ('triage', 'summary', 'draft')`))
    .addColumn("provider", "text", (col) => col.notNull())
    .addColumn("model", "text", (col) => col.notNull())
    .addColumn("input_tokens", "integer", (col) => col.notNull())
    .addColumn("output_tokens", "integer", (col) => col.notNull())
    .addColumn("cost_micro_usd", "bigint", (col) => col.notNull())
    .addColumn("latency_ms", "integer", (col) => col.notNull())
    .addColumn("outcome", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("ai_requests_user_idx").on("ai_requests").columns(["user_id", "created_at"]).execute();

  // Spent and reserved money per user and month; reservations are taken atomically before each call.
  await db.schema
    .createTable("ai_budget_periods")
    .addColumn("user_id", "uuid", (col) => userId(col))
    .addColumn("period_start", "date", (col) => col.notNull())
    .addColumn("spent_micro_usd", "bigint", (col) => col.notNull().defaultTo(0))
    .addColumn("reserved_micro_usd", "bigint", (col) => col.notNull().defaultTo(0))
    .addColumn("warned_80_at", "timestamptz")
    .addColumn("warned_100_at", "timestamptz")
    .addPrimaryKeyConstraint("ai_budget_periods_pk", ["user_id", "period_start"])
    .execute();

  // The local provider's learned state per user, and what it learned from.
  await db.schema
    .createTable("ai_local_models")
    .addColumn("user_id", "uuid", (col) => userId(col).primaryKey())
    .addColumn("state", "jsonb", (col) => col.notNull())
    .addColumn("samples", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable("ai_feedback")
    .addColumn("id", "bigserial", (col) => col.primaryKey())
    .addColumn("user_id", "uuid", (col) => userId(col))
    .addColumn("message_id", "uuid", (col) => col.notNull())
    .addColumn("source", "text", (col) => col.notNull())
    .addColumn("priority", "text")
    .addColumn("category", "text")
    .addColumn("needs_reply", "boolean")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("ai_feedback_user_idx").on("ai_feedback").columns(["user_id", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "ai_feedback",
    "ai_local_models",
    "ai_budget_periods",
    "ai_requests",
    "ai_thread_summaries",
    "ai_analyses",
    "ai_settings",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
