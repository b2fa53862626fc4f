import {
  type Database,
  findComposeParent,
  findMailAccount,
  findMailDraftById,
  findMailUploads,
  type Kysely,
  type MailDraftRow,
  recordMailDraftServerCopy,
} from "@tidings/db";
import { type AccountAccess, deleteMessage, specialFolder, withImap } from "./account-connection.ts";
import { composeMessage, type OutgoingMessage, replyThreading } from "./compose.ts";

export interface DraftDeps extends AccountAccess {
  db: Kysely<Database>;
}

/**
 * Puts the draft's current revision in the account's Drafts folder and removes the copy it
 * replaces. Two saves racing each other leave only the newer revision on the server.
 */
export async function storeDraftCopy(deps: DraftDeps, draftId: string): Promise<"stored" | "stale" | "missing"> {
  const draft = await findMailDraftById(deps.db, draftId);
  if (!draft) return "missing";
  const account = await findMailAccount(deps.db, draft.user_id, draft.account_id);
  if (!account) return "missing";
  const message = await draftMessage(deps, draft, { name: account.display_name ?? "", email: account.email });
  const raw = await composeMessage(message, { keepBcc: true });
  return withImap(deps, account, async (client) => {
    const folder = await specialFolder(client, "\\Drafts");
    const appended = await client.append(folder, raw, ["\\Draft", "\\Seen"]);
    if (!appended || appended.uid === undefined) throw new Error("the server did not say where it stored the draft");
    const uid = appended.uid;
    const recorded = await deps.db
      .transaction()
      .execute((trx) => recordMailDraftServerCopy(trx, draft.id, { revision: draft.revision, folder, uid }));
    const obsolete = recorded.stale ? { folder, uid } : recorded.replaced;
    if (obsolete) await deleteMessage(client, obsolete.folder, obsolete.uid);
    return recorded.stale ? "stale" : "stored";
  });
}

/** The draft as it will be sent: its attachments, and the threading headers of the message it answers. */
async function draftMessage(
  deps: DraftDeps,
  draft: MailDraftRow,
  from: { name: string; email: string },
): Promise<OutgoingMessage> {
  const parent = draft.reply_to_message_id
    ? await findComposeParent(deps.db, draft.user_id, draft.reply_to_message_id)
    : undefined;
  const threading = parent
    ? replyThreading({ messageId: parent.message_id, references: parent.references })
    : { inReplyTo: null, references: [] };
  const uploads = await findMailUploads(deps.db, draft.user_id, draft.attachment_ids);
  return {
    from,
    to: draft.to,
    cc: draft.cc,
    bcc: draft.bcc,
    subject: draft.subject,
    text: draft.text_body,
    html: draft.html_body,
    messageId: draft.message_id,
    ...threading,
    attachments: uploads.map((upload) => ({
      filename: upload.filename,
      contentType: upload.content_type,
      content: upload.content,
    })),
    date: draft.updated_at,
  };
}
