import { z } from "zod";
import { plainText } from "../text-input.ts";

// Inputs of the composer's address autocomplete and the search box's recent searches (API.md
// `mail`, added). Browser-safe, like ./schema.ts.

export const mailContactsInput = z.object({
  /** The start of an address, or of a word of a name. */
  query: plainText(320).pipe(z.string().min(1, "Type part of a name or address")),
  limit: z
    .number()
    .int("limit must be a whole number")
    .min(1, "limit must be at least 1")
    .max(20, "limit must be at most 20")
    .default(8),
});

const searchQuery = plainText(1000).pipe(z.string().min(1, "Give the search that was run"));

export const mailRecordSearchInput = z.object({ query: searchQuery });
/** One search to forget, or (without `query`) every one. */
export const mailForgetSearchInput = z.object({ query: searchQuery.optional() }).default({});
