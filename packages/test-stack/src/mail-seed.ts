import {
  type AiPriority,
  analyzeMailTables,
  type Database,
  findUserByEmail,
  insertMailAccount,
  insertMailMessagesBulk,
  insertMailThreadsBulk,
  type Kysely,
  listMailThreadMessages,
  type MailAddress,
  type NewMailMessage,
  refreshMailThreads,
  saveAnalysis,
  setMailAccountStatus,
  upsertMailFolder,
} from "@tidings/db";

/** One single-message thread to store, and the analysis it has (if any). */
export interface SeedThread {
  subject: string;
  from: MailAddress;
  text: string;
  date: Date;
  seen?: boolean;
  flagged?: boolean;
  analysis?: { priority: AiPriority; category: string; needsReply: boolean; reasons: string[] };
  /** Default `seed-<index>@seed.test`. */
  messageId?: string;
  /** Default the text's length. */
  size?: number;
}

const BATCH = 1_000;

/**
 * Threads stored straight into the database through the repositories, as a finished sync would
 * leave them, thousands a second (no IMAP server involved). The account is paused, so the worker
 * never tries to reach its made-up server.
 */
export async function seedMailThreads(
  db: Kysely<Database>,
  options: {
    /** The Tidings user (signed up already) whose mailbox it is: by id, or by email. */
    user: { id: string } | { email: string };
    /** The mailbox's own address. */
    email: string;
    threads: readonly SeedThread[];
  },
): Promise<{ accountId: string; folderId: string; threads: { threadId: string; messageId: string }[] }> {
  const userId = await seedUserId(db, options.user);
  const server = { host: "127.0.0.1", port: 9, security: "none" as const, username: "seed" };
  const account = await db.transaction().execute(async (trx) => {
    const inserted = await insertMailAccount(trx, {
      userId,
      email: options.email,
      provider: "custom",
      imap: server,
      smtp: server,
      credentialsSealed: "unused",
    });
    // Paused in the same transaction, so no worker ever claims it (it has no server to sync from).
    await setMailAccountStatus(trx, inserted.id, "paused");
    return inserted;
  });
  const inbox = await upsertMailFolder(db, account.id, { path: "INBOX", name: "Inbox", role: "inbox" });
  // Somewhere for archive and delete to move threads to.
  await upsertMailFolder(db, account.id, { path: "Archive", name: "Archive", role: "archive" });
  await upsertMailFolder(db, account.id, { path: "Trash", name: "Trash", role: "trash" });
  const threadIds: string[] = [];
  for (let first = 0; first < options.threads.length; first += BATCH) {
    const batch = options.threads.slice(first, first + BATCH);
    const ids = await insertMailThreadsBulk(
      db,
      batch.map(() => ({ accountId: account.id, userId: userId })),
    );
    const rows: Omit<NewMailMessage, "attachments">[] = batch.map((thread, offset) => ({
      accountId: account.id,
      userId: userId,
      folderId: inbox.id,
      threadId: ids[offset] ?? "",
      uid: first + offset + 1,
      messageId: thread.messageId ?? `seed-${first + offset}@seed.test`,
      inReplyTo: null,
      references: [],
      from: thread.from,
      to: [{ name: "", email: options.email }],
      cc: [],
      replyTo: [],
      subject: thread.subject,
      date: thread.date,
      text: thread.text,
      html: null,
      hasRemoteContent: false,
      flags: { seen: thread.seen ?? true, flagged: thread.flagged ?? false, answered: false, draft: false },
      size: thread.size ?? thread.text.length,
    }));
    await insertMailMessagesBulk(db, rows);
    await refreshMailThreads(db, ids);
    threadIds.push(...ids);
  }
  const messageIds = new Map<string, string>();
  for (const [index, thread] of options.threads.entries()) {
    const threadId = threadIds[index] ?? "";
    if (!thread.analysis) continue;
    const [message] = await listMailThreadMessages(db, userId, threadId);
    if (!message) continue;
    messageIds.set(threadId, message.id);
    await saveAnalysis(db, {
      messageId: message.id,
      userId: userId,
      accountId: account.id,
      ...thread.analysis,
      summary: thread.subject,
      actionItems: [],
      provider: "local",
      model: "seed",
    });
  }
  await analyzeMailTables(db);
  return {
    accountId: account.id,
    folderId: inbox.id,
    threads: threadIds.map((threadId) => ({ threadId, messageId: messageIds.get(threadId) ?? "" })),
  };
}

async function seedUserId(db: Kysely<Database>, user: { id: string } | { email: string }): Promise<string> {
  if ("id" in user) return user.id;
  const found = await findUserByEmail(db, user.email.toLowerCase());
  if (!found) throw new Error(`No user ${user.email} to seed mail for`);
  return found.id;
}
