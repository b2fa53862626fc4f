import { convert, type SelectorDefinition } from "html-to-text";
import type { EmailForAnalysis } from "./email.ts";

// Text a reader cannot see is a classic carrier of injected instructions (S30): these elements are
// dropped before the body reaches any model. Style matching covers the usual spellings.
const hiddenStyles = [
  "display:none",
  "display: none",
  "visibility:hidden",
  "visibility: hidden",
  "font-size:0",
  "font-size: 0",
  "opacity:0",
  "opacity: 0",
  "max-height:0",
  "max-height: 0",
];
const skip = (selector: string): SelectorDefinition => ({ selector, format: "skip" });
const htmlSelectors: SelectorDefinition[] = [
  skip("head"),
  skip("script"),
  skip("style"),
  skip("template"),
  skip("[hidden]"),
  skip('[aria-hidden="true"]'),
  ...hiddenStyles.map((style) => skip(`[style*="${style}"]`)),
  { selector: "a", options: { ignoreHref: true } },
  { selector: "img", format: "skip" },
];

// Zero-width and bidirectional control characters hide or reorder text without showing it.
const invisibleCharacters = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD]/g;

/** The body a person would see: the text part, or the HTML rendered to text without hidden elements. */
export function visibleText(email: Pick<EmailForAnalysis, "text" | "html">): string {
  const source =
    email.text.trim() !== "" ? email.text : email.html ? convert(email.html, { selectors: htmlSelectors }) : "";
  return source.replace(invisibleCharacters, "").replace(/\r\n?/g, "\n");
}

const quoteHeader = /^(On .{4,200} wrote:|-{2,} ?Original Message ?-{2,}|From: .+|_{10,})\s*$/i;

/** The new part of a message: quoted replies and the signature removed. */
export function ownWords(text: string): string {
  const kept: string[] = [];
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    // Everything after a signature separator or a reply header is the signature or the quoted thread.
    if (line === "-- " || trimmed === "--" || quoteHeader.test(trimmed)) break;
    if (trimmed.startsWith(">")) continue;
    kept.push(line);
  }
  return kept.join("\n").trim();
}

/** Sentences of a text, whitespace collapsed; lines without end punctuation count as sentences too. */
export function sentences(text: string): string[] {
  return text
    .split(/\n\s*\n|(?<=[.!?])\s+(?=[A-Z0-9"'(])|\n(?=[-*•]\s)/)
    .map((part) => part.replace(/\s+/g, " ").trim())
    .filter((part) => part.length >= 3);
}

/** Cuts at a word boundary and marks the cut. */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars - 1);
  const lastSpace = cut.lastIndexOf(" ");
  return `${(lastSpace > maxChars * 0.6 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

const ownWordsCache = new WeakMap<Pick<EmailForAnalysis, "text" | "html">, string>();

/**
 * The sender's own visible words of a message, computed once per message object: the rules, the
 * features and the extraction all read them, and rendering HTML is the expensive part.
 */
export function ownVisibleWords(email: Pick<EmailForAnalysis, "text" | "html">): string {
  let words = ownWordsCache.get(email);
  if (words === undefined) {
    words = ownWords(visibleText(email));
    ownWordsCache.set(email, words);
  }
  return words;
}
