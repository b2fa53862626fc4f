/** A parsed `mail.threads` query: free words and phrases plus the operators API.md lists. */
export interface SearchQuery {
  /** Single words, matched as full-text terms. */
  words: string[];
  /** "Quoted phrases", matched as phrases. */
  phrases: string[];
  from: string[];
  to: string[];
  subject: string[];
  hasAttachment: boolean;
  unread: boolean;
  /** Messages dated before the start of this day (UTC). */
  before: Date | null;
  /** Messages dated on or after the start of this day (UTC). */
  after: Date | null;
}

/** A query the user must fix; `operator` names the part that is wrong (e.g. "before:"). */
export class SearchQueryError extends Error {
  constructor(
    readonly operator: string,
    message: string,
  ) {
    super(message);
    this.name = "SearchQueryError";
  }
}

const MAX_QUERY_LENGTH = 1_000;
const MAX_TERMS = 50;

/**
 * Parses `from:ann to:"Bob Smith" subject:invoice has:attachment is:unread before:2026-12-01
 * after:2026/11/01 "exact phrase" words`. Operator names are case-insensitive; an unknown `x:y`
 * is searched as text, as mail clients do.
 */
export function parseSearchQuery(input: string): SearchQuery {
  if (input.length > MAX_QUERY_LENGTH) {
    throw new SearchQueryError("query", `query: at most ${MAX_QUERY_LENGTH} characters`);
  }
  const query: SearchQuery = {
    words: [],
    phrases: [],
    from: [],
    to: [],
    subject: [],
    hasAttachment: false,
    unread: false,
    before: null,
    after: null,
  };
  const tokens = tokenize(input);
  if (tokens.length > MAX_TERMS) throw new SearchQueryError("query", `query: at most ${MAX_TERMS} terms`);
  for (const token of tokens) {
    const operator = token.operator?.toLowerCase();
    switch (operator) {
      case "from":
      case "to":
      case "subject":
        if (!token.value) throw new SearchQueryError(`${operator}:`, `${operator}: needs a value`);
        query[operator].push(token.value);
        break;
      case "has":
        if (token.value.toLowerCase() !== "attachment") {
          throw new SearchQueryError("has:", `has: knows only "attachment", not "${token.value}"`);
        }
        query.hasAttachment = true;
        break;
      case "is":
        if (token.value.toLowerCase() !== "unread") {
          throw new SearchQueryError("is:", `is: knows only "unread", not "${token.value}"`);
        }
        query.unread = true;
        break;
      case "before":
      case "after":
        query[operator] = parseDay(operator, token.value);
        break;
      default: {
        const text = token.operator === undefined ? token.value : `${token.operator}:${token.value}`;
        if (!text) break;
        if (token.quoted) query.phrases.push(text);
        else query.words.push(text);
      }
    }
  }
  return query;
}

interface Token {
  operator?: string;
  value: string;
  quoted: boolean;
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  // An optional `name:` then a "quoted value" (closing quote optional) or a bare word.
  const pattern = /(?:([A-Za-z]+):)?(?:"([^"]*)"?|(\S+))/g;
  for (const match of input.matchAll(pattern)) {
    const [, operator, quoted, bare] = match;
    const value = (quoted ?? bare ?? "").trim();
    tokens.push({ operator, value, quoted: quoted !== undefined });
  }
  return tokens;
}

function parseDay(operator: "before" | "after", value: string): Date {
  const match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!match || !date || date.getUTCMonth() !== Number(match[2]) - 1 || date.getUTCDate() !== Number(match[3])) {
    throw new SearchQueryError(`${operator}:`, `${operator}: expects a date like 2026-12-01, not "${value}"`);
  }
  return date;
}
