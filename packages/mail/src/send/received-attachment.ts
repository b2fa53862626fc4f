import type { Readable } from "node:stream";
import type { MailAccountRow, ReceivedAttachment } from "@tidings/db";
import type { MessageStructureObject } from "imapflow";
import { type AccountAccess, connectImap, logOut } from "./account-connection.ts";

/** A leaf of the message's structure that is an attachment, with its part number. */
interface AttachmentPart {
  part: string;
  type: string;
  filename: string | null;
  contentId: string | null;
}

function attachmentParts(node: MessageStructureObject, found: AttachmentPart[] = []): AttachmentPart[] {
  if (node.childNodes?.length) {
    for (const child of node.childNodes) attachmentParts(child, found);
    return found;
  }
  const filename = node.dispositionParameters?.filename ?? node.parameters?.name ?? null;
  const isAttachment = node.disposition === "attachment" || filename !== null || node.id !== undefined;
  if (isAttachment && node.part) {
    found.push({
      part: node.part,
      type: node.type.toLowerCase(),
      filename,
      contentId: node.id ? node.id.replace(/^<|>$/g, "") : null,
    });
  }
  return found;
}

/**
 * The part of the message that this stored attachment row describes: same content id when it has
 * one, else the same file name and type; `ordinal` tells apart rows that look the same.
 */
export function findAttachmentPart(
  structure: MessageStructureObject,
  wanted: { filename: string | null; contentType: string; contentId: string | null; ordinal: number },
): string | undefined {
  const parts = attachmentParts(structure);
  const matches = wanted.contentId
    ? parts.filter((part) => part.contentId === wanted.contentId)
    : parts.filter((part) => part.filename === wanted.filename && part.type === wanted.contentType.toLowerCase());
  return (matches[wanted.ordinal] ?? matches[0])?.part;
}

/**
 * Streams a received attachment from the IMAP server (by UID and part, decoded), at most
 * `maxBytes`; the content stays on the server otherwise. The connection is logged out once the
 * stream ends, fails or is closed (a client that goes away). Undefined when the message or part is gone.
 */
export async function openReceivedAttachment(
  access: AccountAccess,
  account: MailAccountRow,
  attachment: ReceivedAttachment & { ordinal: number },
  maxBytes: number,
): Promise<Readable | undefined> {
  const client = await connectImap(access, account);
  let lock: { release(): void } | undefined;
  let handedOver = false;
  try {
    lock = await client.getMailboxLock(attachment.folder_path, { readOnly: true });
    const message = await client.fetchOne(String(attachment.uid), { bodyStructure: true }, { uid: true });
    const structure = message ? message.bodyStructure : undefined;
    if (!structure) return undefined;
    const part = findAttachmentPart(structure, {
      filename: attachment.filename,
      contentType: attachment.content_type,
      contentId: attachment.content_id,
      ordinal: attachment.ordinal,
    });
    if (!part) return undefined;
    const download = await client.download(String(attachment.uid), part, { uid: true, maxBytes });
    if (!download.content) return undefined;
    const content = download.content;
    const heldLock = lock;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      heldLock.release();
      void logOut(client);
    };
    content.once("end", finish);
    content.once("close", finish);
    content.once("error", finish);
    handedOver = true;
    return content;
  } finally {
    if (!handedOver) {
      lock?.release();
      await logOut(client);
    }
  }
}

/** The whole attachment in memory (for tests and small callers); see openReceivedAttachment. */
export async function downloadReceivedAttachment(
  access: AccountAccess,
  account: MailAccountRow,
  attachment: ReceivedAttachment & { ordinal: number },
  maxBytes: number,
): Promise<Buffer | undefined> {
  const stream = await openReceivedAttachment(access, account, attachment, maxBytes);
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
