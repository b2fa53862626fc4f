import type { Executor } from "../executor.ts";

// The user's recent mail searches (the search box offers them again), newest first.

/** How many a user keeps: recording another forgets the oldest. */
export const RECENT_SEARCHES_KEPT = 8;

/** Notes a search (again: it moves to the top) and forgets those beyond the newest few. */
export async function recordRecentSearch(db: Executor, userId: string, query: string, at = new Date()): Promise<void> {
  await db
    .insertInto("mail_recent_searches")
    .values({ user_id: userId, query, searched_at: at })
    .onConflict((conflict) => conflict.columns(["user_id", "query"]).doUpdateSet({ searched_at: at }))
    .execute();
  await db
    .deleteFrom("mail_recent_searches")
    .where("user_id", "=", userId)
    .where("query", "not in", (eb) =>
      eb
        .selectFrom("mail_recent_searches")
        .select("query")
        .where("user_id", "=", userId)
        .orderBy("searched_at", "desc")
        .orderBy("query")
        .limit(RECENT_SEARCHES_KEPT),
    )
    .execute();
}

export async function listRecentSearches(db: Executor, userId: string): Promise<{ query: string; searchedAt: Date }[]> {
  const rows = await db
    .selectFrom("mail_recent_searches")
    .select(["query", "searched_at"])
    .where("user_id", "=", userId)
    .orderBy("searched_at", "desc")
    .orderBy("query")
    .limit(RECENT_SEARCHES_KEPT)
    .execute();
  return rows.map((row) => ({ query: row.query, searchedAt: row.searched_at }));
}

/** Forgets one search, or every one when `query` is undefined; answers how many were removed. */
export async function deleteRecentSearches(db: Executor, userId: string, query?: string): Promise<number> {
  let statement = db.deleteFrom("mail_recent_searches").where("user_id", "=", userId);
  if (query !== undefined) statement = statement.where("query", "=", query);
  const result = await statement.executeTakeFirst();
  return Number(result.numDeletedRows);
}
