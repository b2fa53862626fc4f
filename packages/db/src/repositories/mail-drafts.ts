import type { Executor } from "../executor.ts";
import type { MailAddress } from "../schema-mail.ts";
import type { MailDraftRow } from "../schema-mail-outgoing.ts";

export interface MailDraftContent {
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  subject: string;
  text: string;
  html: string | null;
  replyToMessageId: string | null;
  attachmentIds: string[];
}

function columns(draft: MailDraftContent) {
  return {
    to: JSON.stringify(draft.to),
    cc: JSON.stringify(draft.cc),
    bcc: JSON.stringify(draft.bcc),
    subject: draft.subject,
    text_body: draft.text,
    html_body: draft.html,
    reply_to_message_id: draft.replyToMessageId,
    attachment_ids: draft.attachmentIds,
  };
}

export function insertMailDraft(
  db: Executor,
  draft: MailDraftContent & { userId: string; accountId: string; messageId: string },
): Promise<MailDraftRow> {
  return db
    .insertInto("mail_drafts")
    .values({ user_id: draft.userId, account_id: draft.accountId, message_id: draft.messageId, ...columns(draft) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Replaces the user's draft content and counts the revision up; undefined for another user's draft. */
export function updateMailDraft(
  db: Executor,
  userId: string,
  draftId: string,
  draft: MailDraftContent & { accountId: string },
): Promise<MailDraftRow | undefined> {
  return db
    .updateTable("mail_drafts")
    .set((eb) => ({
      ...columns(draft),
      account_id: draft.accountId,
      revision: eb("revision", "+", 1),
      updated_at: eb.fn("now"),
    }))
    .where("id", "=", draftId)
    .where("user_id", "=", userId)
    .returningAll()
    .executeTakeFirst();
}

export function findMailDraft(db: Executor, userId: string, draftId: string): Promise<MailDraftRow | undefined> {
  return db
    .selectFrom("mail_drafts")
    .selectAll()
    .where("id", "=", draftId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

/** For the worker, which acts for whoever owns the draft. */
export function findMailDraftById(db: Executor, draftId: string): Promise<MailDraftRow | undefined> {
  return db.selectFrom("mail_drafts").selectAll().where("id", "=", draftId).executeTakeFirst();
}

/** Deletes the draft; answers where its server copy was, so the caller can remove that too. */
export async function deleteMailDraft(
  db: Executor,
  draftId: string,
): Promise<{ account_id: string; server_folder: string | null; server_uid: string | null } | undefined> {
  return db
    .deleteFrom("mail_drafts")
    .where("id", "=", draftId)
    .returning(["account_id", "server_folder", "server_uid"])
    .executeTakeFirst();
}

/**
 * Records that the server now holds `revision` of the draft at (folder, uid). Answers the copy it
 * replaces (to delete from the server), or `stale: true` when a newer revision is already recorded
 * or the draft is gone, in which case the copy just appended is the one to delete.
 */
export async function recordMailDraftServerCopy(
  db: Executor,
  draftId: string,
  copy: { revision: number; folder: string; uid: number },
): Promise<{ stale: boolean; replaced: { folder: string; uid: number } | null }> {
  const current = await db
    .selectFrom("mail_drafts")
    .select(["server_revision", "server_folder", "server_uid"])
    .where("id", "=", draftId)
    .forUpdate()
    .executeTakeFirst();
  if (!current || (current.server_revision !== null && current.server_revision >= copy.revision)) {
    return { stale: true, replaced: null };
  }
  await db
    .updateTable("mail_drafts")
    .set({ server_revision: copy.revision, server_folder: copy.folder, server_uid: copy.uid })
    .where("id", "=", draftId)
    .execute();
  const replaced =
    current.server_folder !== null && current.server_uid !== null
      ? { folder: current.server_folder, uid: Number(current.server_uid) }
      : null;
  return { stale: false, replaced };
}
