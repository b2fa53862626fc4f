import type { Executor } from "../executor.ts";
import type { MailAttachmentRow, MailMessageRow } from "../schema-mail.ts";

// What the AI pipeline reads about a user's mail: one message (with its attachments' types, for
// calendar invitations), the facts the local rules need about the user and the sender, and the
// user's own recent replies for a draft's style. Every query is bound to the user (S27).

export type AiMessageRow = MailMessageRow & { attachmentTypes: string[]; aiEnabled: boolean };

/** One of the user's messages with what the analysis needs; undefined if absent or another user's. */
export async function findMessageForAi(
  db: Executor,
  userId: string,
  messageId: string,
): Promise<AiMessageRow | undefined> {
  const message = await db
    .selectFrom("mail_messages as m")
    .innerJoin("mail_accounts as a", "a.id", "m.account_id")
    .selectAll("m")
    .select("a.ai_enabled")
    .where("m.id", "=", messageId)
    .where("m.user_id", "=", userId)
    .executeTakeFirst();
  if (!message) return undefined;
  const attachments = await db
    .selectFrom("mail_attachments")
    .select("content_type")
    .where("message_id", "=", messageId)
    .execute();
  const { ai_enabled, ...row } = message;
  return { ...(row as MailMessageRow), attachmentTypes: attachments.map((a) => a.content_type), aiEnabled: ai_enabled };
}

/** The content types of these messages' attachments, by message id. */
export async function attachmentTypesOf(db: Executor, messageIds: readonly string[]): Promise<Map<string, string[]>> {
  const types = new Map<string, string[]>();
  if (!messageIds.length) return types;
  const rows: Pick<MailAttachmentRow, "message_id" | "content_type">[] = await db
    .selectFrom("mail_attachments")
    .select(["message_id", "content_type"])
    .where("message_id", "in", [...messageIds])
    .execute();
  for (const row of rows) types.set(row.message_id, [...(types.get(row.message_id) ?? []), row.content_type]);
  return types;
}

/** Escapes LIKE's wildcards so an address is matched literally. */
const literal = (value: string) => value.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * What the local rules know about the user and a sender: the user's own addresses, and whether
 * the user has written to the sender (a message in a Sent folder addressed to them).
 */
export async function aiRecipientFacts(
  db: Executor,
  userId: string,
  senderEmail: string,
): Promise<{ ownAddresses: string[]; wroteToSender: boolean }> {
  const accounts = await db.selectFrom("mail_accounts").select("email").where("user_id", "=", userId).execute();
  const sender = senderEmail.trim().toLowerCase();
  const wrote = sender
    ? await db
        .selectFrom("mail_messages as m")
        .innerJoin("mail_folders as f", "f.id", "m.folder_id")
        .select("m.id")
        .where("m.user_id", "=", userId)
        .where("f.role", "=", "sent")
        .where("m.recipients_text", "ilike", `%${literal(sender)}%`)
        .limit(1)
        .executeTakeFirst()
    : undefined;
  return { ownAddresses: accounts.map((account) => account.email.toLowerCase()), wroteToSender: wrote !== undefined };
}

/** The text of the user's latest sent messages (for a draft's style only), newest first. */
export async function recentSentTexts(
  db: Executor,
  userId: string,
  accountId: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom("mail_messages as m")
    .innerJoin("mail_folders as f", "f.id", "m.folder_id")
    .select("m.text_body")
    .where("m.user_id", "=", userId)
    .where("m.account_id", "=", accountId)
    .where("f.role", "=", "sent")
    .where("m.text_body", "is not", null)
    .orderBy("m.date", "desc")
    .limit(limit)
    .execute();
  return rows.map((row) => row.text_body ?? "").filter(Boolean);
}

/**
 * Of the newest `limit` messages of an account's inbox received since `since` with their body
 * stored, those with no analysis yet (ready or failed), newest first: what an account's first sync
 * hands to the AI. Bounded by the newest, so a sync resumed many times never queues more.
 */
export async function recentInboxMessagesWithoutAnalysis(
  db: Executor,
  options: { userId: string; accountId: string; since: Date; limit: number },
): Promise<string[]> {
  const newest = await db
    .selectFrom("mail_messages as m")
    .innerJoin("mail_folders as f", "f.id", "m.folder_id")
    .select("m.id")
    .where("m.user_id", "=", options.userId)
    .where("m.account_id", "=", options.accountId)
    .where("f.role", "=", "inbox")
    .where("m.date", ">=", options.since)
    .where((eb) => eb.or([eb("m.text_body", "is not", null), eb("m.html_body", "is not", null)]))
    .orderBy("m.date", "desc")
    .limit(options.limit)
    .execute();
  if (!newest.length) return [];
  const analysed = await db
    .selectFrom("ai_analyses")
    .select("message_id")
    .where(
      "message_id",
      "in",
      newest.map((row) => row.id),
    )
    .execute();
  const done = new Set(analysed.map((row) => row.message_id));
  return newest.map((row) => row.id).filter((id) => !done.has(id));
}
