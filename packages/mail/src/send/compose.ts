import { randomUUID } from "node:crypto";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import type Mail from "nodemailer/lib/mailer/index.js";
import { sanitizeMailHtml } from "../sanitize.ts";

export interface OutgoingAddress {
  name: string;
  email: string;
}

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** One message as we send it; Message-IDs without angle brackets, as they are stored. */
export interface OutgoingMessage {
  from: OutgoingAddress;
  to: OutgoingAddress[];
  cc: OutgoingAddress[];
  bcc: OutgoingAddress[];
  subject: string;
  text: string;
  html: string | null;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  attachments: OutgoingAttachment[];
  date?: Date;
}

/** A header field holding CR or LF (S29): `field` names it as the input did ("subject", "to.0.name"). */
export class HeaderInjectionError extends Error {
  override name = "HeaderInjectionError";
  constructor(readonly field: string) {
    super(`${field}: line breaks are not allowed in a header field`);
  }
}

const lineBreak = /[\r\n]/;

/**
 * Refuses CR or LF in every field that becomes a header. nodemailer folds and encodes what it is
 * given, so a line break would not inject a header through it; refusing is still the rule, so that
 * what the user typed is exactly what is sent, and nothing depends on the composer's escaping.
 */
export function assertHeaderSafe(message: {
  from?: OutgoingAddress;
  to: OutgoingAddress[];
  cc: OutgoingAddress[];
  bcc: OutgoingAddress[];
  subject: string;
  attachments?: { filename: string; contentType: string }[];
}): void {
  const check = (field: string, value: string) => {
    if (lineBreak.test(value)) throw new HeaderInjectionError(field);
  };
  check("subject", message.subject);
  if (message.from) {
    check("from.name", message.from.name);
    check("from.email", message.from.email);
  }
  for (const list of ["to", "cc", "bcc"] as const) {
    message[list].forEach((address, index) => {
      check(`${list}.${index}.name`, address.name);
      check(`${list}.${index}.email`, address.email);
    });
  }
  message.attachments?.forEach((attachment, index) => {
    check(`attachments.${index}.filename`, attachment.filename);
    check(`attachments.${index}.contentType`, attachment.contentType);
  });
}

/** A Message-ID of our own under the sender's domain, so the synced Sent copy joins the thread. */
export function newMessageId(fromEmail: string): string {
  const domain = fromEmail.split("@")[1]?.trim() || "tidings.invalid";
  return `${randomUUID()}@${domain}`;
}

// RFC 5322 allows References to be shortened; the first and the most recent ids matter most.
const MAX_REFERENCES = 30;

/** In-Reply-To and References of a reply: the parent's References followed by its Message-ID. */
export function replyThreading(parent: { messageId: string | null; references: readonly string[] }): {
  inReplyTo: string | null;
  references: string[];
} {
  const chain = [...parent.references, ...(parent.messageId ? [parent.messageId] : [])];
  const unique = chain.filter((id, index) => chain.indexOf(id) === index);
  const references =
    unique.length > MAX_REFERENCES ? [unique[0] as string, ...unique.slice(-(MAX_REFERENCES - 1))] : unique;
  return { inReplyTo: parent.messageId, references };
}

export function replySubject(subject: string): string {
  return /^\s*re\s*:/i.test(subject) ? subject : `Re: ${subject}`.trimEnd();
}

export function forwardSubject(subject: string): string {
  return /^\s*(fwd?|fw)\s*:/i.test(subject) ? subject : `Fwd: ${subject}`.trimEnd();
}

export interface QuotedMessage {
  fromName: string;
  fromEmail: string;
  date: Date;
  subject: string;
  text: string | null;
}

const sender = (parent: QuotedMessage) =>
  parent.fromName ? `${parent.fromName} <${parent.fromEmail}>` : parent.fromEmail;

/** The reply's text with the parent quoted below it, unless the client already quoted (a line starting with ">"). */
export function quoteReply(text: string, parent: QuotedMessage): string {
  if (/^>/m.test(text) || !parent.text) return text;
  const quoted = parent.text
    .replace(/\r\n/g, "\n")
    .trimEnd()
    .split("\n")
    .map((line) => (line ? `> ${line}` : ">"))
    .join("\n");
  return `${text.trimEnd()}\n\nOn ${parent.date.toUTCString()}, ${sender(parent)} wrote:\n${quoted}\n`;
}

const FORWARD_MARKER = "---------- Forwarded message ----------";

/** The forward's text with the original below it, unless the client already included it. */
export function quoteForward(text: string, parent: QuotedMessage): string {
  if (text.includes(FORWARD_MARKER)) return text;
  return [
    text.trimEnd(),
    "",
    FORWARD_MARKER,
    `From: ${sender(parent)}`,
    `Date: ${parent.date.toUTCString()}`,
    `Subject: ${parent.subject}`,
    "",
    parent.text ?? "",
  ].join("\n");
}

/** The user's HTML as sent: sanitized (S26 rules), their own remote images kept. */
export function outgoingHtml(html: string | null): string | null {
  return html ? sanitizeMailHtml(html, { loadRemote: true }).html : null;
}

const toMailbox = (address: OutgoingAddress) => ({ name: address.name, address: address.email });

/**
 * The message as RFC 5322 bytes, built by nodemailer's MailComposer (never by hand). `keepBcc`
 * keeps the Bcc header, for the copy filed in Sent; the copy handed to SMTP leaves it out.
 */
export async function composeMessage(message: OutgoingMessage, options: { keepBcc?: boolean } = {}): Promise<Buffer> {
  assertHeaderSafe(message);
  const mail: Mail.Options = {
    from: toMailbox(message.from),
    to: message.to.map(toMailbox),
    cc: message.cc.map(toMailbox),
    bcc: message.bcc.map(toMailbox),
    subject: message.subject,
    text: message.text,
    html: message.html ?? undefined,
    messageId: `<${message.messageId}>`,
    inReplyTo: message.inReplyTo ? `<${message.inReplyTo}>` : undefined,
    references: message.references.map((id) => `<${id}>`),
    date: message.date ?? new Date(),
    attachments: message.attachments.map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: attachment.content,
    })),
  };
  const node = new MailComposer(mail).compile();
  node.keepBcc = options.keepBcc ?? false;
  return node.build();
}

/** Every address the message goes to, for the SMTP envelope (Bcc included). */
export function envelopeRecipients(message: Pick<OutgoingMessage, "to" | "cc" | "bcc">): string[] {
  return [...message.to, ...message.cc, ...message.bcc].map((address) => address.email);
}
