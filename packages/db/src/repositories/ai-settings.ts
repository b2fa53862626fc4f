import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { AiSettingsPatch, AiSettingsRow } from "../schema-ai.ts";

/** The user's overrides; undefined when they never changed a setting (every default applies). */
export function findAiSettings(db: Executor, userId: string): Promise<AiSettingsRow | undefined> {
  return db.selectFrom("ai_settings").selectAll().where("user_id", "=", userId).executeTakeFirst();
}

/** Applies the given fields (null resets one to the deployment default) and returns the row. */
export function updateAiSettings(db: Executor, userId: string, patch: AiSettingsPatch): Promise<AiSettingsRow> {
  return db
    .insertInto("ai_settings")
    .values({ user_id: userId, ...patch })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ ...patch, updated_at: sql`now()` }))
    .returningAll()
    .executeTakeFirstOrThrow();
}
