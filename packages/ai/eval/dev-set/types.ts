import type { Category, EmailForAnalysis, Priority, RecipientContext } from "../../src/index.ts";

/**
 * The development set's owner: Maya Lindqvist, a product engineer at Northwind Labs (a 40-person
 * software company), who also uses a personal Fastmail address. Every message below is written to her.
 */
export const owner = {
  name: "Maya Lindqvist",
  work: "maya@northwind.io",
  personal: "maya.lindqvist@fastmail.com",
} as const;

export const ownAddresses = [owner.work, owner.personal];

/** What a careful human assistant would say about the message, for Maya. */
export interface Label {
  priority: Priority;
  category: Category;
  needsReply: boolean;
}

export interface DevMessage {
  id: string;
  /** "Name <address>" */
  from: string;
  /** Recipients; the owner's work address when left out. */
  to?: string[];
  cc?: string[];
  subject: string;
  text: string;
  headers?: Record<string, string>;
  calendar?: boolean;
  /** The sender is someone Maya has written to before (the app knows from her Sent folder). */
  known?: boolean;
  label: Label;
}

/** Headers of mail sent in bulk to a list with an unsubscribe link. */
export const bulk = (domain: string): Record<string, string> => ({
  "list-unsubscribe": `<https://${domain}/unsubscribe?u=8c1f>, <mailto:unsubscribe@${domain}>`,
  "list-unsubscribe-post": "List-Unsubscribe=One-Click",
  precedence: "bulk",
});

/** Headers of mail a program sent by itself. */
export const automated: Record<string, string> = { "auto-submitted": "auto-generated" };

export const label = (priority: Priority, category: Category, needsReply = false): Label => ({
  priority,
  category,
  needsReply,
});

const parseAddress = (value: string) => {
  const match = /^(.*?)\s*<([^>]+)>$/.exec(value.trim());
  return match
    ? { name: match[1]?.replace(/^"|"$/g, "") ?? "", email: (match[2] ?? "").toLowerCase() }
    : { name: "", email: value.trim().toLowerCase() };
};

/** The message as the AI layer sees it, dated in order from a fixed week so runs are repeatable. */
export function toEmail(message: DevMessage, index: number): EmailForAnalysis {
  return {
    id: message.id,
    accountId: message.to?.includes(owner.personal) ? "personal" : "work",
    from: parseAddress(message.from),
    to: (message.to ?? [owner.work]).map(parseAddress),
    cc: (message.cc ?? []).map(parseAddress),
    subject: message.subject,
    date: new Date(Date.UTC(2026, 10, 23, 7, 0) + index * 47 * 60_000),
    text: message.text,
    html: null,
    headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    hasCalendar: message.calendar ?? false,
  };
}

export function recipientFor(message: DevMessage): RecipientContext {
  return { ownAddresses, repliedToSenderBefore: message.known ?? false, knownContact: message.known ?? false };
}
