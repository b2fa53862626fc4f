import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { OneTimeTokenPurpose } from "../schema.ts";

export interface OneTimeTokenOwner {
  userId: string;
  email: string;
  /** False once the token expired (an unused one); used tokens are not returned at all. */
  unexpired: boolean;
}

/**
 * Who an unused token of this purpose belongs to, without using it up: a page can tell a dead link
 * before it asks for anything. Used, unknown and other-purpose tokens give undefined.
 */
export async function findUnusedOneTimeTokenOwner(
  db: Executor,
  tokenHash: string,
  purpose: OneTimeTokenPurpose,
): Promise<OneTimeTokenOwner | undefined> {
  const row = await db
    .selectFrom("one_time_tokens as token")
    .innerJoin("users", "users.id", "token.user_id")
    .select(["users.id as userId", "users.email as email", sql<boolean>`token.expires_at > now()`.as("unexpired")])
    .where("token.token_hash", "=", tokenHash)
    .where("token.purpose", "=", purpose)
    .where("token.used_at", "is", null)
    .executeTakeFirst();
  return row && { userId: row.userId, email: row.email, unexpired: Boolean(row.unexpired) };
}
