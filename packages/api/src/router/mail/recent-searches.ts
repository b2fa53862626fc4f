import { deleteRecentSearches, listRecentSearches, recordRecentSearch } from "@tidings/db";
import type { z } from "zod";
import type { InnerContext } from "../../context.ts";
import type { mailForgetSearchInput, mailRecordSearchInput } from "./lookup-schema.ts";

type Caller = { ctx: InnerContext; userId: string };

/** Runs of spaces are one: "from:ann  lunch" and "from:ann lunch" are the same recent search. */
const normalised = (query: string) => query.replace(/\s+/g, " ");

/** `mail.recordSearch`: the search box submitted a search (not each keystroke). */
export async function recordSearch({ ctx, userId }: Caller, input: z.output<typeof mailRecordSearchInput>) {
  await recordRecentSearch(ctx.db, userId, normalised(input.query));
  return { recorded: true as const };
}

/** `mail.recentSearches`: the newest first. */
export async function recentSearches({ ctx, userId }: Caller) {
  return listRecentSearches(ctx.db, userId);
}

/** `mail.forgetSearch`: one recent search, or all of them. */
export async function forgetSearch({ ctx, userId }: Caller, input: z.output<typeof mailForgetSearchInput>) {
  const removed = await deleteRecentSearches(
    ctx.db,
    userId,
    input.query === undefined ? undefined : normalised(input.query),
  );
  return { removed };
}
