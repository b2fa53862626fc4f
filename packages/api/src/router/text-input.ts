import { z } from "zod";

// A lone surrogate is not Unicode text: the UTF-8 encoder would store U+FFFD in its place and so
// silently change what the user typed.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Postgres `text` refuses NUL outright; other control characters have no place in a name or a search.
const controlCharacter = /\p{Cc}/u;

/** Text stored or searched as typed (names, search queries): trimmed, bounded, printable, well formed. */
export const plainText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters`)
    .refine((value) => !controlCharacter.test(value), "Must not contain control characters")
    .refine((value) => !loneSurrogate.test(value), "Contains an invalid character");

/** Secret text (a new password): any Unicode, but well formed, so that what is hashed is what was typed. */
export const wellFormedText = (max: number) =>
  z
    .string()
    .max(max, `Use at most ${max} characters`)
    .refine((value) => !loneSurrogate.test(value), "Contains an invalid character");
