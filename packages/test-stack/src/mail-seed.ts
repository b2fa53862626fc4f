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
    /** The Tidings user (signed up already) whose mailbox it is. */
    userEmail: string;
    /** The mailbox's own address. */
    email: string;
    threads: readonly SeedThread[];
  },
): Promise<{ accountId: string; folderId: string; threads: { threadId: string; messageId: string }[] }> {
  const user = await findUserByEmail(db, options.userEmail.toLowerCase());
  if (!user) throw new Error(`No user ${options.userEmail} to seed mail for`);
  const userId = user.id;
  const server = { host: "127.0.0.1", port: 9, security: "none" as const, username: "seed" };
  const account = await insertMailAccount(db, {
    userId: userId,
    email: options.email,
    provider: "custom",
    imap: server,
    smtp: server,
    credentialsSealed: "unused",
  });
  await setMailAccountStatus(db, account.id, "paused");
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
      messageId: `seed-${first + offset}@seed.test`,
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
      size: thread.text.length,
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
