import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { OneTimeTokenPurpose } from "../schema.ts";

/**
 * Stores a new emailed-link token (its hash) and retires the user's unused older ones of the same
 * purpose, so only the latest link works.
 */
export async function replaceOneTimeToken(
  db: Executor,
  token: { userId: string; purpose: OneTimeTokenPurpose; tokenHash: string; lifetimeSeconds: number },
): Promise<void> {
  await db
    .updateTable("one_time_tokens")
    .set({ used_at: sql`now()` })
    .where("user_id", "=", token.userId)
    .where("purpose", "=", token.purpose)
    .where("used_at", "is", null)
    .execute();
  await db
    .insertInto("one_time_tokens")
    .values({
      user_id: token.userId,
      purpose: token.purpose,
      token_hash: token.tokenHash,
      expires_at: sql<Date>`now() + make_interval(secs => ${token.lifetimeSeconds})`,
    })
    .execute();
}

/**
 * Marks an unused, unexpired token of this purpose used; the conditional UPDATE lets exactly one of
 * several concurrent uses have the row back.
 */
export function useOneTimeToken(
  db: Executor,
  tokenHash: string,
  purpose: OneTimeTokenPurpose,
): Promise<{ user_id: string; token_hash: string } | undefined> {
  return db
    .updateTable("one_time_tokens")
    .set({ used_at: sql`now()` })
    .where("token_hash", "=", tokenHash)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .returning(["user_id", "token_hash"])
    .executeTakeFirst();
}

/** What is left of a token that could not be used: whether it was used already, and its purpose. */
export function findOneTimeTokenState(
  db: Executor,
  tokenHash: string,
): Promise<{ used_at: Date | null; purpose: OneTimeTokenPurpose } | undefined> {
  return db
    .selectFrom("one_time_tokens")
    .select(["used_at", "purpose"])
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
}
