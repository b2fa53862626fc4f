import * as chrono from "chrono-node";
import { ownVisibleWords, sentences, truncate } from "../content.ts";
import type { EmailForAnalysis } from "../email.ts";
import type { ActionItem } from "../schemas.ts";

const greeting = /^(hi|hello|hey|dear|good (morning|afternoon|evening)|hallo|bonjour|hola)\b[^.!?]{0,40}[,!:]?$/i;
const closing = /^(thanks|thank you|cheers|best|regards|kind regards|best regards|sent from my)\b/i;
const request =
  /\b(please|can you|could you|would you|need(s)? to|must|have to|deadline|due|by (monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|end of|eod|the \d)|action required|rsvp|let me know)\b/i;

// Every date chrono's English parsers read has a digit, a month or weekday name, or one of these
// words; a sentence without any is not handed to it (parsing is most of the local provider's time).
const mayNameADate =
  /\d|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)|\b(now|today|tonight|tomorrow|tmrw?|yesterday|noon|midnight|morning|afternoon|evening|night|weekend|week|wks?|month|mos?|year|yrs?|days?|hours?|hrs?|minutes?|mins?|seconds?|secs?|fortnight|quarter|qtr|ago|later|next|last|past|this|coming|within|until|till|before|after|end)\b/i;

function meaningfulSentences(email: EmailForAnalysis): string[] {
  return sentences(ownVisibleWords(email)).filter((s) => !greeting.test(s) && !closing.test(s));
}

/**
 * Extractive summary: the sender's own sentences (quotes and signature gone), the earliest ones
 * and those asking something first, kept in their order, at most `maxChars`.
 */
export function extractiveSummary(email: EmailForAnalysis, maxChars = 200): string {
  const candidates = meaningfulSentences(email);
  if (candidates.length === 0) return truncate(email.subject.trim() || "(no text)", maxChars);
  const scored = candidates.slice(0, 20).map((sentence, index) => ({
    sentence,
    index,
    score:
      1 / (index + 1) +
      (request.test(sentence) || sentence.endsWith("?") ? 0.6 : 0) -
      (sentence.length > 240 ? 0.3 : 0),
  }));
  const chosen: typeof scored = [];
  let length = 0;
  for (const candidate of [...scored].sort((a, b) => b.score - a.score)) {
    if (length + candidate.sentence.length + 1 > maxChars) continue;
    chosen.push(candidate);
    length += candidate.sentence.length + 1;
    if (chosen.length === 2) break;
  }
  if (chosen.length === 0) return truncate(candidates[0] ?? email.subject, maxChars);
  return chosen
    .sort((a, b) => a.index - b.index)
    .map((c) => c.sentence)
    .join(" ");
}

/** Requests in the sender's own words, with a due date when the sentence names one (chrono). */
export function actionItems(email: EmailForAnalysis, max = 5): ActionItem[] {
  const items: ActionItem[] = [];
  for (const sentence of meaningfulSentences(email)) {
    if (!request.test(sentence)) continue;
    // An unparsable Date header leaves chrono without a reference: "today" is as good as any.
    const reference = Number.isFinite(email.date.getTime()) ? email.date : new Date();
    const [when] = mayNameADate.test(sentence) ? chrono.parse(sentence, reference, { forwardDate: true }) : [];
    items.push({ text: truncate(sentence, 300), due: when ? isoDate(when.start.date()) : null });
    if (items.length >= max) break;
  }
  return items;
}

/** Questions in the sender's own words. */
export function questions(email: EmailForAnalysis): string[] {
  return meaningfulSentences(email).filter((sentence) => sentence.endsWith("?"));
}

/** YYYY-MM-DD, or null for a date no calendar shows (an invalid reference date, a five-digit year). */
function isoDate(date: Date): string | null {
  if (!Number.isFinite(date.getTime()) || date.getFullYear() < 1000 || date.getFullYear() > 9999) return null;
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
