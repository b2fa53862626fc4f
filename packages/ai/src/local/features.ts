import { ownVisibleWords } from "../content.ts";
import { type EmailForAnalysis, senderDomain } from "../email.ts";
import type { Signals } from "./signals.ts";

// Common words carry no signal about importance; leaving them out keeps per-user state small.
const stopWords = new Set(
  "the and for you your with this that from have are was were will would can could our not but all any out new get has had its it's one about more just been they them their there what when which who how also into than then only very over some such here".split(
    " ",
  ),
);

const maxTerms = 120;

/**
 * The tokens the learned model sees: who sent it (address and domain), how it was sent (header
 * facts from the signals) and terms of the subject and the sender's own words.
 */
export function featureTokens(email: EmailForAnalysis, signals: Signals): string[] {
  const tokens = [`from:${email.from.email.toLowerCase()}`, `domain:${senderDomain(email.from)}`];
  for (const [name, on] of Object.entries(signals)) if (on) tokens.push(`signal:${name}`);
  const terms = (text: string) =>
    (text.toLowerCase().match(/\p{L}[\p{L}\p{N}'-]{2,24}/gu) ?? []).filter((term) => !stopWords.has(term));
  for (const term of terms(email.subject)) tokens.push(`subject:${term}`);
  const bodyTerms = new Set(terms(ownVisibleWords(email)));
  let count = 0;
  for (const term of bodyTerms) {
    if (count++ >= maxTerms) break;
    tokens.push(term);
  }
  return tokens;
}
