import { type Executor, findAnsweredMessage, findMailAccount } from "@tidings/db";
import { simpleParser } from "mailparser";
import { type AccountAccess, withImap } from "./account-connection.ts";
import type { OutgoingAttachment } from "./compose.ts";

/**
 * The attachments of a forwarded message, fetched from the IMAP server (we keep only their
 * metadata). Inline parts (images of the HTML) stay behind: the forward quotes the text. A
 * message gone from the server forwards without them.
 */
export async function forwardedAttachments(
  deps: AccountAccess & { db: Executor },
  userId: string,
  messageId: string,
): Promise<OutgoingAttachment[]> {
  const message = await findAnsweredMessage(deps.db, messageId);
  const account = message && (await findMailAccount(deps.db, userId, message.account_id));
  if (!message || !account) return [];
  const source = await withImap(deps, account, async (client) => {
    const lock = await client.getMailboxLock(message.folder_path, { readOnly: true });
    try {
      const download = await client.download(String(message.uid), undefined, { uid: true });
      if (!download.content) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of download.content) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    } finally {
      lock.release();
    }
  });
  if (!source) return [];
  const parsed = await simpleParser(source);
  return parsed.attachments
    .filter((attachment) => attachment.contentDisposition !== "inline" && !attachment.related)
    .map((attachment) => ({
      filename: attachment.filename ?? "attachment",
      contentType: attachment.contentType,
      content: attachment.content,
    }));
}
