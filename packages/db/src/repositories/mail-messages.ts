import type { Kysely } from "kysely";
import { isUniqueViolation } from "../errors.ts";
import type { Executor } from "../executor.ts";
import type { Database } from "../schema.ts";
import type { AiAnalysisRow } from "../schema-ai.ts";
import type { MailAddress, MailAttachmentRow, MailMessageRow } from "../schema-mail.ts";
import { chunked, ROW_CHUNK } from "./chunked.ts";
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
  /** The header fields the AI rules read, names in lower case. */
  headers?: Readonly<Record<string, string>>;
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
  const inserted = await db
    .insertInto("mail_messages")
    .values(messageValues(message))
    .onConflict((conflict) => conflict.columns(["folder_id", "uid"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!inserted) return null;
  if (message.attachments.length) {
    await db.insertInto("mail_attachments").values(attachmentValues(inserted.id, message.attachments)).execute();
  }
  return inserted.id;
}

/**
 * insertMailMessage for a batch: multi-row statements for the messages and then for all their
 * attachments. Answers, per message in order, the new row's id, or null when its folder already had
 * that UID (or the batch named it twice). A statement takes at most ROW_CHUNK messages and about
 * BODY_CHUNK_CHARS of bodies, so large mail does not make one huge query.
 */
export async function insertMailMessages(
  db: Executor,
  messages: readonly NewMailMessage[],
): Promise<(string | null)[]> {
  const ids: (string | null)[] = messages.map(() => null);
  const seen = new Set<string>();
  let slice: number[] = [];
  let chars = 0;
  const flush = async () => {
    if (!slice.length) return;
    const indexes = slice;
    slice = [];
    chars = 0;
    const rows = await db
      .insertInto("mail_messages")
      .values(indexes.map((index) => messageValues(messages[index] as NewMailMessage)))
      .onConflict((conflict) => conflict.columns(["folder_id", "uid"]).doNothing())
      .returning(["id", "folder_id", "uid"])
      .execute();
    const byKey = new Map(rows.map((row) => [`${row.folder_id}:${row.uid}`, row.id]));
    for (const index of indexes) {
      const message = messages[index] as NewMailMessage;
      ids[index] = byKey.get(`${message.folderId}:${message.uid}`) ?? null;
    }
  };
  for (const [index, message] of messages.entries()) {
    const key = `${message.folderId}:${message.uid}`;
    if (seen.has(key)) continue;
    seen.add(key);
    slice.push(index);
    chars += (message.text?.length ?? 0) + (message.html?.length ?? 0);
    if (slice.length >= ROW_CHUNK || chars >= BODY_CHUNK_CHARS) await flush();
  }
  await flush();
  const attachments = messages.flatMap((message, index) => {
    const id = ids[index];
    return id ? attachmentValues(id, message.attachments) : [];
  });
  for (const rows of chunked(attachments, ROW_CHUNK)) await db.insertInto("mail_attachments").values(rows).execute();
  return ids;
}

/** Characters of text and HTML bodies per insert statement (see insertMailMessages). */
const BODY_CHUNK_CHARS = 8_000_000;

function attachmentValues(messageId: string, attachments: NewMailMessage["attachments"]) {
  return attachments.map((attachment) => ({
    message_id: messageId,
    filename: attachment.filename,
    content_type: attachment.contentType,
    size: attachment.size,
    inline: attachment.inline,
    content_id: attachment.contentId,
  }));
}

/**
 * Many messages in one statement, for generated mail (benchmarks, bulk imports) whose threads exist
 * already: no attachments, no threading. The caller refreshes the threads (refreshMailThreads).
 */
export async function insertMailMessagesBulk(
  db: Executor,
  messages: readonly Omit<NewMailMessage, "attachments">[],
): Promise<void> {
  if (!messages.length) return;
  await db
    .insertInto("mail_messages")
    .values(messages.map((message) => messageValues({ ...message, attachments: [] })))
    .execute();
}

function messageValues(message: NewMailMessage) {
  const recipients = [...message.to, ...message.cc]
    .map((address) => `${address.name} ${address.email}`.trim().toLowerCase())
    .join(" ");
  return {
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
    headers: message.headers ? JSON.stringify(message.headers) : null,
  };
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
  return (await removeMailMessagesByUid(db, folderId, uids)).removed;
}

/** What removing messages did to their threads: for the `thread.updated` / `thread.removed` events. */
export interface RemovedMailMessages {
  removed: number;
  /** Threads that lost messages and still have some. */
  updatedThreadIds: string[];
  /** Threads that lost their last message and are gone. */
  removedThreadIds: string[];
}

/** As deleteMailMessagesByUid, answering which threads changed and which are gone. */
export async function removeMailMessagesByUid(
  db: Executor,
  folderId: string,
  uids: readonly number[],
): Promise<RemovedMailMessages> {
  if (!uids.length) return { removed: 0, updatedThreadIds: [], removedThreadIds: [] };
  const removed = await db
    .deleteFrom("mail_messages")
    .where("folder_id", "=", folderId)
    .where("uid", "in", [...uids])
    .returning("thread_id")
    .execute();
  const threadIds = [...new Set(removed.map((row) => row.thread_id))];
  await refreshMailThreads(db, threadIds);
  const removedThreadIds = await deleteEmptyMailThreads(db, threadIds);
  const gone = new Set(removedThreadIds);
  return { removed: removed.length, updatedThreadIds: threadIds.filter((id) => !gone.has(id)), removedThreadIds };
}

/**
 * The folder's stored UIDs, ascending (for the UID comparison that finds deletions). Messages moved
 * here locally and not yet on the server hold a placeholder UID below 1 (see applyMailMessageChange)
 * and are left out, so a sync in between does not take them for deleted.
 */
export async function listMailMessageUids(db: Executor, folderId: string): Promise<number[]> {
  const rows = await db
    .selectFrom("mail_messages")
    .select("uid")
    .where("folder_id", "=", folderId)
    .where("uid", ">", 0)
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

/** A message's state as a user action changes it, and as it is put back when the server refuses. */
export interface MailMessageState {
  id: string;
  accountId: string;
  threadId: string;
  folderId: string;
  uid: number;
  seen: boolean;
  flagged: boolean;
}

/**
 * The messages a user action targets: every message of the given threads and the given messages.
 * `complete` is false when any id is not the user's (or does not exist): S27 then answers NOT_FOUND
 * for the whole call. Ordered by id so that concurrent actions lock rows in the same order.
 */
export async function findMailActionTargets(
  db: Executor,
  userId: string,
  ids: { threadIds: readonly string[]; messageIds: readonly string[] },
): Promise<{ complete: boolean; messages: MailMessageState[] }> {
  const threadIds = [...new Set(ids.threadIds)];
  const messageIds = [...new Set(ids.messageIds)];
  const ownedThreads = threadIds.length
    ? await db
        .selectFrom("mail_threads")
        .select("id")
        .where("user_id", "=", userId)
        .where("id", "in", threadIds)
        .execute()
    : [];
  const rows = await db
    .selectFrom("mail_messages")
    .select(["id", "account_id", "thread_id", "folder_id", "uid", "seen", "flagged"])
    .where("user_id", "=", userId)
    .where((eb) =>
      eb.or([
        ...(threadIds.length ? [eb("thread_id", "in", threadIds)] : []),
        ...(messageIds.length ? [eb("id", "in", messageIds)] : []),
      ]),
    )
    .orderBy("id")
    .forUpdate()
    .execute();
  const found = new Set(rows.map((row) => row.id));
  const complete = ownedThreads.length === threadIds.length && messageIds.every((id) => found.has(id));
  return {
    complete,
    messages: rows.map((row) => ({
      id: row.id,
      accountId: row.account_id,
      threadId: row.thread_id,
      folderId: row.folder_id,
      uid: Number(row.uid),
      seen: row.seen,
      flagged: row.flagged,
    })),
  };
}

export interface MailMessageChange {
  seen?: boolean;
  flagged?: boolean;
  /** Moves to this folder (of the messages' account); messages already there stay. */
  folderId?: string;
}

/**
 * Applies a user's change locally, before the server has it: flags, and for a move the new folder
 * with a placeholder UID below 1 (the real one is known once the server moved it, see
 * setMovedMailMessageUid). Thread counts are recomputed. Run it in the action's transaction.
 */
export async function applyMailMessageChange(
  db: Executor,
  messages: readonly MailMessageState[],
  change: MailMessageChange,
): Promise<void> {
  if (!messages.length) return;
  const ids = messages.map((message) => message.id);
  const flags = { seen: change.seen, flagged: change.flagged };
  if (flags.seen !== undefined || flags.flagged !== undefined) {
    await db.updateTable("mail_messages").set(flags).where("id", "in", ids).execute();
  }
  const target = change.folderId;
  if (target !== undefined) {
    const moving = messages.filter((message) => message.folderId !== target);
    if (moving.length) {
      // The folder row lock serialises placeholder numbering between concurrent moves into it.
      await db.selectFrom("mail_folders").select("id").where("id", "=", target).forUpdate().execute();
      const lowest = await db
        .selectFrom("mail_messages")
        .select((eb) => eb.fn.min("uid").as("uid"))
        .where("folder_id", "=", target)
        .where("uid", "<=", 0)
        .executeTakeFirst();
      let placeholder = Math.min(Number(lowest?.uid ?? 0), 0);
      for (const message of moving) {
        placeholder -= 1;
        await db
          .updateTable("mail_messages")
          .set({ folder_id: target, uid: placeholder })
          .where("id", "=", message.id)
          .execute();
      }
    }
  }
  await refreshMailThreads(db, [...new Set(messages.map((message) => message.threadId))]);
}

/**
 * Puts messages back exactly as they were before a change the server refused (folder, UID, flags)
 * and recounts their threads. Messages deleted meanwhile are skipped.
 */
export async function restoreMailMessages(db: Executor, messages: readonly MailMessageState[]): Promise<void> {
  for (const message of messages) {
    await db
      .updateTable("mail_messages")
      .set({ folder_id: message.folderId, uid: message.uid, seen: message.seen, flagged: message.flagged })
      .where("id", "=", message.id)
      .execute();
  }
  await refreshMailThreads(db, [...new Set(messages.map((message) => message.threadId))]);
}

/**
 * Gives a moved message the UID the server assigned in its new folder. If a sync stored that UID
 * first (as a row of its own), the placeholder row goes instead, so the message is never there twice.
 *
 * It tries the update first and lets the unique (folder, uid) key decide, rather than looking for a
 * synced row and then updating: a sync inserting that UID between the look and the update (or still
 * uncommitted when the update runs) would otherwise fail the whole action with a duplicate key. That
 * is why it takes the database, not a transaction: the failed update must not abort the caller's.
 */
export async function setMovedMailMessageUid(
  db: Kysely<Database>,
  messageId: string,
  folderId: string,
  uid: number,
): Promise<void> {
  try {
    await db
      .updateTable("mail_messages")
      .set({ uid })
      .where("id", "=", messageId)
      .where("folder_id", "=", folderId)
      .execute();
    return;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  await db.transaction().execute(async (trx) => {
    const synced = await trx
      .selectFrom("mail_messages")
      .select(["id", "thread_id"])
      .where("folder_id", "=", folderId)
      .where("uid", "=", uid)
      .executeTakeFirst();
    if (!synced || synced.id === messageId) return;
    const removed = await trx
      .deleteFrom("mail_messages")
      .where("id", "=", messageId)
      .returning("thread_id")
      .executeTakeFirst();
    const threadIds = [...new Set([synced.thread_id, ...(removed ? [removed.thread_id] : [])])];
    await refreshMailThreads(trx, threadIds);
    await deleteEmptyMailThreads(trx, threadIds);
  });
}

function snippetOf(text: string | null): string {
  return (text ?? "").replace(/\s+/g, " ").trim().slice(0, SNIPPET_LENGTH);
}

/** The ready AI analyses of these messages (for `mail.thread`); messages without one are absent. */
export async function listReadyAnalysesOf(db: Executor, messageIds: readonly string[]): Promise<AiAnalysisRow[]> {
  if (!messageIds.length) return [];
  return db
    .selectFrom("ai_analyses")
    .selectAll()
    .where("message_id", "in", [...messageIds])
    .where("status", "=", "ready")
    .execute();
}
