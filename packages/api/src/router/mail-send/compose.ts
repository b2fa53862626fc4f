import { countMailUploads, findComposeParent, findMailAccount, type MailAccountRow } from "@tidings/db";
import {
  assertHeaderSafe,
  forwardSubject,
  HeaderInjectionError,
  type OutgoingAddress,
  quoteForward,
  quoteReply,
  replySubject,
  replyThreading,
} from "@tidings/mail";
import type { Context } from "../../context.ts";
import { AppError } from "../../errors.ts";

export interface ComposeInput {
  accountId: string;
  to: OutgoingAddress[];
  cc: OutgoingAddress[];
  bcc: OutgoingAddress[];
  subject: string;
  inReplyTo?: string;
  attachmentIds: string[];
}

/** The caller's account to send from (S29: only their own addresses as From; another's is NOT_FOUND). */
export async function ownAccount(ctx: Context, userId: string, accountId: string): Promise<MailAccountRow> {
  const account = await findMailAccount(ctx.db, userId, accountId);
  if (!account) throw new AppError("NOT_FOUND", "No such mail account", { field: "accountId" });
  return account;
}

/** The message replied to or forwarded, if it is the caller's (S27). */
export async function ownParent(ctx: Context, userId: string, messageId: string | undefined, field: string) {
  if (!messageId) return undefined;
  const parent = await findComposeParent(ctx.db, userId, messageId);
  if (!parent) throw new AppError("NOT_FOUND", "No such message", { field });
  return parent;
}

/** Every attachment id must be one of the caller's uploads (S27). */
export async function assertOwnUploads(ctx: Context, userId: string, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids)];
  if ((await countMailUploads(ctx.db, userId, unique)) !== unique.length) {
    throw new AppError("NOT_FOUND", "No such attachment", { field: "attachmentIds" });
  }
}

/** CR/LF in any header field is INVALID_INPUT naming the field (S29), whatever the caller's schema let through. */
export function assertSafeHeaders(from: OutgoingAddress, input: ComposeInput): void {
  try {
    assertHeaderSafe({ from, to: input.to, cc: input.cc, bcc: input.bcc, subject: input.subject });
  } catch (error) {
    if (error instanceof HeaderInjectionError) {
      throw new AppError("INVALID_INPUT", error.message, { field: error.field });
    }
    throw error;
  }
}

export const fromAddress = (account: MailAccountRow): OutgoingAddress => ({
  name: account.display_name ?? "",
  email: account.email,
});

type Parent = NonNullable<Awaited<ReturnType<typeof ownParent>>>;

/** Subject, text and threading of a reply or forward; the client's own quoting is kept when it quoted. */
export function answerShape(
  input: { subject: string; text: string },
  kind: { reply?: Parent; forward?: Parent },
): { subject: string; text: string; inReplyTo: string | null; references: string[] } {
  const quoted = (parent: Parent) => ({
    fromName: parent.from_name,
    fromEmail: parent.from_email,
    date: parent.date,
    subject: parent.subject,
    text: parent.text_body,
  });
  if (kind.reply) {
    const threading = replyThreading({ messageId: kind.reply.message_id, references: kind.reply.references });
    return {
      subject: replySubject(input.subject || kind.reply.subject),
      text: quoteReply(input.text, quoted(kind.reply)),
      ...threading,
    };
  }
  if (kind.forward) {
    return {
      subject: forwardSubject(input.subject || kind.forward.subject),
      text: quoteForward(input.text, quoted(kind.forward)),
      inReplyTo: null,
      references: [],
    };
  }
  return { subject: input.subject, text: input.text, inReplyTo: null, references: [] };
}
