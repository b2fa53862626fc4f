import { type AddressObject, type ParsedMail, simpleParser } from "mailparser";
import { sanitizeMailHtml } from "./sanitize.ts";

export interface Address {
  name: string;
  email: string;
}

export interface AttachmentInfo {
  filename: string | null;
  contentType: string;
  size: number;
  inline: boolean;
  contentId: string | null;
}

export interface ParsedMessage {
  /** Without angle brackets; null when the message has none. */
  messageId: string | null;
  inReplyTo: string | null;
  /** Oldest first, as the References header lists them. */
  references: string[];
  from: Address | null;
  to: Address[];
  cc: Address[];
  replyTo: Address[];
  date: Date | null;
  subject: string;
  text: string;
  /** Sanitized, remote content removed (S26). */
  html: string | null;
  hasRemoteContent: boolean;
  attachments: AttachmentInfo[];
  /** The header fields the AI rules read (ruleHeaderNames), names in lower case, values unfolded. */
  headers: Record<string, string>;
}

/**
 * What tells mail from programs and lists apart from mail from people (RFC 3834, RFC 2919,
 * RFC 2369, RFC 8058, bulk mailers' X-Mailer and Feedback-ID). Only these are kept: the rest of a
 * message's header is not needed and can be large.
 */
export const ruleHeaderNames = [
  "auto-submitted",
  "precedence",
  "list-id",
  "list-unsubscribe",
  "list-unsubscribe-post",
  "list-post",
  "x-auto-response-suppress",
  "x-mailer",
  "feedback-id",
] as const;
const ruleHeaders = new Set<string>(ruleHeaderNames);
const MAX_HEADER_VALUE = 500;

export interface ParseOptions {
  /** Text longer than this is cut (the rest stays on the server); default 1 MiB of characters. */
  maxTextLength?: number;
}

/** Parses a raw RFC 5322 message (any encoding mailparser knows) into what Tidings stores. */
export async function parseMessage(raw: Buffer | string, options: ParseOptions = {}): Promise<ParsedMessage> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const maxText = options.maxTextLength ?? 1_048_576;
  // Blocked image addresses are kept (inert) so that mail.thread can allow them on request.
  const sanitized = parsed.html ? sanitizeMailHtml(withoutNul(parsed.html), { keepBlockedSources: true }) : null;
  return {
    messageId: bareId(parsed.messageId),
    inReplyTo: firstId(parsed.inReplyTo),
    references: idList(parsed.references),
    from: addresses(parsed.from)[0] ?? null,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    replyTo: addresses(parsed.replyTo),
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
    subject: withoutNul(parsed.subject ?? ""),
    text: withoutNul(parsed.text ?? "").slice(0, maxText),
    html: sanitized?.html ?? null,
    hasRemoteContent: sanitized?.hasRemoteContent ?? false,
    attachments: parsed.attachments.map((attachment) => ({
      filename: attachment.filename === undefined ? null : withoutNul(attachment.filename),
      contentType: attachment.contentType,
      size: attachment.size,
      inline: attachment.contentDisposition === "inline" || (attachment.related ?? false),
      contentId: bareId(attachment.contentId),
    })),
    headers: ruleHeaderValues(parsed.headerLines),
  };
}

/** The first value of each rule header, unfolded and bounded (a header repeated keeps its first). */
function ruleHeaderValues(lines: ParsedMail["headerLines"]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { key, line } of lines) {
    const name = key.toLowerCase();
    if (!ruleHeaders.has(name) || Object.hasOwn(values, name)) continue;
    const value = withoutNul(line.slice(line.indexOf(":") + 1))
      .replace(/\r?\n[ \t]+/g, " ")
      .trim();
    values[name] = value.slice(0, MAX_HEADER_VALUE);
  }
  return values;
}

/**
 * Real mail (spam especially) decodes to text with NUL characters, which Postgres text cannot hold
 * (error 22021): one such message stopped a folder's sync for good. They carry nothing to read.
 */
function withoutNul(value: string): string {
  return value.includes("\u0000") ? value.replaceAll("\u0000", "") : value;
}

/** Message-IDs in a header value ("<a@b> <c@d>"), brackets removed. */
export function messageIdsIn(raw: string | undefined): string[] {
  if (!raw) return [];
  const value = withoutNul(raw);
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((match) => match[1] as string);
  if (bracketed.length) return bracketed;
  return value.split(/\s+/).filter((id) => id.includes("@"));
}

function bareId(value: string | undefined): string | null {
  if (!value) return null;
  return messageIdsIn(value)[0] ?? (withoutNul(value).trim() || null);
}

function firstId(value: string | undefined): string | null {
  return messageIdsIn(value)[0] ?? null;
}

function idList(value: ParsedMail["references"]): string[] {
  const values = Array.isArray(value) ? value : value ? [value] : [];
  return values.flatMap((entry) => messageIdsIn(entry));
}

function addresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  const objects = Array.isArray(value) ? value : value ? [value] : [];
  const found: Address[] = [];
  const walk = (entries: AddressObject["value"]) => {
    for (const entry of entries) {
      if (entry.group) walk(entry.group);
      else if (entry.address) {
        found.push({ name: withoutNul(entry.name ?? ""), email: withoutNul(entry.address).toLowerCase() });
      }
    }
  };
  for (const object of objects) walk(object.value);
  return found;
}
