import { sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { AiAnalysesTable } from "../schema-ai.ts";
import type { MailAttachmentRow, MailMessageRow } from "../schema-mail.ts";

// What the AI pipeline reads about a user's mail: one message (with its attachments' types, for
// calendar invitations), the facts the local rules need about the user and the sender, and the
// user's own recent replies for a draft's style. Every query is bound to the user (S27).

type AiAnalysisStatus = AiAnalysesTable["status"];

export type AiMessageRow = MailMessageRow & {
  attachmentTypes: string[];
  aiEnabled: boolean;
  /** The message's analysis: ready, failed (to be retried), or null for none yet. */
  analysisStatus: AiAnalysisStatus | null;
};

/**
 * One of the user's messages with what the analysis needs, and the status of its analysis if it has
 * one; undefined if absent or another user's. One query: the ai queue reads this for every job.
 */
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
    .select([
      sql<
        string[]
      >`coalesce((select array_agg(t.content_type) from mail_attachments t where t.message_id = m.id), '{}')`.as(
        "attachment_types",
      ),
      sql<AiAnalysisStatus | null>`(select s.status from ai_analyses s where s.message_id = m.id)`.as(
        "analysis_status",
      ),
    ])
    .where("m.id", "=", messageId)
    .where("m.user_id", "=", userId)
    .executeTakeFirst();
  if (!message) return undefined;
  const { ai_enabled, attachment_types, analysis_status, ...row } = message;
  return {
    ...(row as MailMessageRow),
    attachmentTypes: attachment_types,
    aiEnabled: ai_enabled,
    analysisStatus: analysis_status ?? null,
  };
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
  const [accounts, wrote] = await Promise.all([
    db.selectFrom("mail_accounts").select("email").where("user_id", "=", userId).execute(),
    wroteToSender(db, userId, senderEmail),
  ]);
  return { ownAddresses: accounts.map((account) => account.email.toLowerCase()), wroteToSender: wrote };
}

/** Whether the user's sent mail holds a message to this address. */
export async function wroteToSender(db: Executor, userId: string, senderEmail: string): Promise<boolean> {
  const sender = senderEmail.trim().toLowerCase();
  if (!sender) return false;
  const wrote = await db
    .selectFrom("mail_messages as m")
    .innerJoin("mail_folders as f", "f.id", "m.folder_id")
    .select("m.id")
    .where("m.user_id", "=", userId)
    .where("f.role", "=", "sent")
    .where("m.recipients_text", "ilike", `%${literal(sender)}%`)
    .limit(1)
    .executeTakeFirst();
  return wrote !== undefined;
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
