import type { Executor } from "../executor.ts";
import type { MailAddress, MailAttachmentRow, MailMessageRow } from "../schema-mail.ts";
import { deleteEmptyMailThreads, refreshMailThreads } from "./mail-threads.ts";

export interface NewMailMessage {
  accountId: string;
  userId: string;
  folderId: string;
  threadId: string;
  uid: number;
  modseq?: bigint | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: readonly string[];
  from: MailAddress | null;
  to: readonly MailAddress[];
  cc: readonly MailAddress[];
  replyTo: readonly MailAddress[];
  subject: string;
  date: Date;
  /** Null beyond the sync window (headers only). */
  text: string | null;
  html: string | null;
  hasRemoteContent: boolean;
  flags: { seen: boolean; flagged: boolean; answered: boolean; draft: boolean };
  size: number;
  attachments: readonly {
    filename: string | null;
    contentType: string;
    size: number;
    inline: boolean;
    contentId: string | null;
  }[];
}

const SNIPPET_LENGTH = 200;

/**
 * Stores a message and its attachment metadata; a UID the folder already has is left alone (a
 * resync never doubles a message). Answers the new row's id, or null when it was there already.
 * The caller refreshes the thread (refreshMailThreads) once per batch.
 */
export async function insertMailMessage(db: Executor, message: NewMailMessage): Promise<string | null> {
  const recipients = [...message.to, ...message.cc]
    .map((address) => `${address.name} ${address.email}`.trim().toLowerCase())
    .join(" ");
  const inserted = await db
    .insertInto("mail_messages")
    .values({
      account_id: message.accountId,
      user_id: message.userId,
      folder_id: message.folderId,
      thread_id: message.threadId,
      uid: message.uid,
      modseq: message.modseq ?? null,
      message_id: message.messageId,
      in_reply_to: message.inReplyTo,
      references: [...message.references],
      from_name: message.from?.name ?? "",
      from_email: message.from?.email ?? "",
      to: JSON.stringify(message.to),
      cc: JSON.stringify(message.cc),
      reply_to: JSON.stringify(message.replyTo),
      recipients_text: recipients,
      subject: message.subject,
      date: message.date,
      snippet: snippetOf(message.text),
      text_body: message.text,
      html_body: message.html,
      has_remote_content: message.hasRemoteContent,
      has_attachments: message.attachments.some((attachment) => !attachment.inline),
      ...message.flags,
      size: message.size,
    })
    .onConflict((conflict) => conflict.columns(["folder_id", "uid"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!inserted) return null;
  if (message.attachments.length) {
    await db
      .insertInto("mail_attachments")
      .values(
        message.attachments.map((attachment) => ({
          message_id: inserted.id,
          filename: attachment.filename,
          content_type: attachment.contentType,
          size: attachment.size,
          inline: attachment.inline,
          content_id: attachment.contentId,
        })),
      )
      .execute();
  }
  return inserted.id;
}

/** Flags as the server has them now; answers the thread to refresh, if the message is known. */
export async function setMailMessageFlags(
  db: Executor,
  folderId: string,
  uid: number,
  flags: { seen: boolean; flagged: boolean; answered: boolean; draft: boolean },
  modseq: bigint | null = null,
): Promise<string | undefined> {
  const row = await db
    .updateTable("mail_messages")
    .set({ ...flags, modseq: modseq === null ? null : modseq.toString() })
    .where("folder_id", "=", folderId)
    .where("uid", "=", uid)
    .returning("thread_id")
    .executeTakeFirst();
  return row?.thread_id;
}

/** Removes messages the server expunged; their threads are recounted or dropped when empty. */
export async function deleteMailMessagesByUid(
  db: Executor,
  folderId: string,
  uids: readonly number[],
): Promise<number> {
  if (!uids.length) return 0;
  const removed = await db
    .deleteFrom("mail_messages")
    .where("folder_id", "=", folderId)
    .where("uid", "in", [...uids])
    .returning("thread_id")
    .execute();
  const threadIds = [...new Set(removed.map((row) => row.thread_id))];
  await refreshMailThreads(db, threadIds);
  await deleteEmptyMailThreads(db, threadIds);
  return removed.length;
}

/** The folder's stored UIDs, ascending (for the UID comparison that finds deletions). */
export async function listMailMessageUids(db: Executor, folderId: string): Promise<number[]> {
  const rows = await db
    .selectFrom("mail_messages")
    .select("uid")
    .where("folder_id", "=", folderId)
    .orderBy("uid")
    .execute();
  return rows.map((row) => row.uid);
}

export type MailMessageWithAttachments = MailMessageRow & { attachments: MailAttachmentRow[] };

/** A thread's messages, oldest first, if the thread is the user's (S27). */
export async function listMailThreadMessages(
  db: Executor,
  userId: string,
  threadId: string,
): Promise<MailMessageWithAttachments[]> {
  const messages = await db
    .selectFrom("mail_messages")
    .selectAll()
    .where("thread_id", "=", threadId)
    .where("user_id", "=", userId)
    .orderBy("date")
    .orderBy("id")
    .execute();
  if (!messages.length) return [];
  const attachments = await db
    .selectFrom("mail_attachments")
    .selectAll()
    .where(
      "message_id",
      "in",
      messages.map((message) => message.id),
    )
    .orderBy("id")
    .execute();
  return messages.map((message) => ({
    ...message,
    attachments: attachments.filter((attachment) => attachment.message_id === message.id),
  }));
}

function snippetOf(text: string | null): string {
  return (text ?? "").replace(/\s+/g, " ").trim().slice(0, SNIPPET_LENGTH);
}
