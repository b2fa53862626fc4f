import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { AiSettingsPatch, AiSettingsRow } from "../schema-ai.ts";

/** The user's overrides; undefined when they never changed a setting (every default applies). */
export function findAiSettings(db: Executor, userId: string): Promise<AiSettingsRow | undefined> {
  return db.selectFrom("ai_settings").selectAll().where("user_id", "=", userId).executeTakeFirst();
}

export interface AiUserInputs {
  settings: AiSettingsRow | undefined;
  /** The user's mail accounts: their address and AI switch (off: analysed locally only, S31). */
  accounts: { id: string; email: string; aiEnabled: boolean }[];
}

/**
 * What building a user's AI reads (their overrides and their accounts' AI switches), in one query:
 * the ai queue reads it for every job, so settings changes apply to the next job.
 */
export async function findAiUserInputs(db: Executor, userId: string): Promise<AiUserInputs> {
  const { rows } = await sql<AiSettingsRow & { accounts_json: AiUserInputs["accounts"] }>`
    select s.*, coalesce((
      select json_agg(json_build_object('id', a.id, 'email', a.email, 'aiEnabled', a.ai_enabled) order by a.email)
      from mail_accounts a where a.user_id = u.id
    ), '[]'::json) as accounts_json
    from (select ${userId}::uuid as id) u
    left join ai_settings s on s.user_id = u.id`.execute(db);
  const row = rows[0];
  if (!row) return { settings: undefined, accounts: [] };
  const { accounts_json: accounts, ...settings } = row;
  return { settings: settings.user_id ? settings : undefined, accounts };
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
