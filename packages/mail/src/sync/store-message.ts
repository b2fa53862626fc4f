import {
  deleteEmptyMailThreads,
  type Executor,
  findMailThreadLinks,
  insertMailMessage,
  placeInMailThread,
  refreshMailThreads,
} from "@tidings/db";
import type { ParsedMessage } from "../parse.ts";
import { planThread } from "../threading.ts";

export interface MessageToStore {
  accountId: string;
  userId: string;
  folderId: string;
  uid: number;
  modseq: bigint | null;
  flags: ReadonlySet<string>;
  internalDate: Date;
  size: number;
  providerThreadId: string | null;
  parsed: ParsedMessage;
  /** False beyond the sync window: only headers are kept. */
  withBody: boolean;
}

/**
 * Files one message in its thread (merging the threads it links) and stores it; answers the thread
 * id, or null when the folder already had this UID. Run it inside a transaction.
 */
export async function storeMessage(trx: Executor, message: MessageToStore): Promise<string | null> {
  return (await storeMessageWithIds(trx, message))?.threadId ?? null;
}

/** As storeMessage, answering the new message's id and the threads merged away too (for the events). */
export async function storeMessageWithIds(
  trx: Executor,
  message: MessageToStore,
): Promise<{ messageId: string; threadId: string; mergedThreadIds: string[] } | null> {
  const { parsed } = message;
  const keys = {
    messageId: parsed.messageId,
    inReplyTo: parsed.inReplyTo,
    references: parsed.references,
    providerThreadId: message.providerThreadId,
  };
  const known = await findMailThreadLinks(
    trx,
    message.accountId,
    [...parsed.references, parsed.inReplyTo, parsed.messageId].filter((id): id is string => !!id),
    message.providerThreadId,
  );
  const plan = planThread(keys, known);
  const threadId = await placeInMailThread(trx, {
    accountId: message.accountId,
    userId: message.userId,
    ...plan,
    providerThreadId: message.providerThreadId,
  });
  const inserted = await insertMailMessage(trx, {
    accountId: message.accountId,
    userId: message.userId,
    folderId: message.folderId,
    threadId,
    uid: message.uid,
    modseq: message.modseq,
    messageId: parsed.messageId,
    inReplyTo: parsed.inReplyTo,
    references: parsed.references,
    from: parsed.from,
    to: parsed.to,
    cc: parsed.cc,
    replyTo: parsed.replyTo,
    subject: parsed.subject,
    date: parsed.date ?? message.internalDate,
    text: message.withBody ? parsed.text : null,
    html: message.withBody ? parsed.html : null,
    hasRemoteContent: parsed.hasRemoteContent,
    flags: flagsOf(message.flags),
    size: message.size,
    attachments: parsed.attachments,
  });
  if (inserted === null) {
    // The UID was stored already; a thread opened just for it would stay empty.
    await deleteEmptyMailThreads(trx, [threadId]);
    return null;
  }
  await refreshMailThreads(trx, [threadId]);
  // The threads this message joined into `threadId` are gone.
  return { messageId: inserted, threadId, mergedThreadIds: plan.merge.filter((id) => id !== threadId) };
}

export function flagsOf(flags: ReadonlySet<string>) {
  return {
    seen: flags.has("\\Seen"),
    flagged: flags.has("\\Flagged"),
    answered: flags.has("\\Answered"),
    draft: flags.has("\\Draft"),
  };
}
