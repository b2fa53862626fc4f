import type { Executor } from "../executor.ts";
import type { MailUploadRow } from "../schema-mail-outgoing.ts";

export interface NewMailUpload {
  userId: string;
  filename: string;
  contentType: string;
  content: Buffer;
}

export async function insertMailUpload(db: Executor, upload: NewMailUpload): Promise<{ id: string }> {
  return db
    .insertInto("mail_uploads")
    .values({
      user_id: upload.userId,
      filename: upload.filename,
      content_type: upload.contentType,
      size: upload.content.length,
      content: upload.content,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
}

/** The user's upload with its content (S27: another user's id finds nothing). */
export function findMailUpload(db: Executor, userId: string, uploadId: string): Promise<MailUploadRow | undefined> {
  return db
    .selectFrom("mail_uploads")
    .selectAll()
    .where("id", "=", uploadId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

/** The user's uploads among `ids`, with content, in the order asked; ids of others are left out. */
export async function findMailUploads(db: Executor, userId: string, ids: readonly string[]): Promise<MailUploadRow[]> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom("mail_uploads")
    .selectAll()
    .where("id", "in", [...ids])
    .where("user_id", "=", userId)
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** How many of `ids` are the user's uploads (to refuse a send naming someone else's). */
export async function countMailUploads(db: Executor, userId: string, ids: readonly string[]): Promise<number> {
  if (!ids.length) return 0;
  const row = await db
    .selectFrom("mail_uploads")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("id", "in", [...new Set(ids)])
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** A received attachment with where its message lives on the IMAP server. */
export interface ReceivedAttachment {
  id: string;
  filename: string | null;
  content_type: string;
  size: number;
  content_id: string | null;
  message_id: string;
  account_id: string;
  uid: number;
  folder_path: string;
}

/** A received attachment of the user's (S27), with its message's folder and UID for fetching it. */
export function findReceivedAttachment(
  db: Executor,
  userId: string,
  attachmentId: string,
): Promise<ReceivedAttachment | undefined> {
  return db
    .selectFrom("mail_attachments as a")
    .innerJoin("mail_messages as m", "m.id", "a.message_id")
    .innerJoin("mail_folders as f", "f.id", "m.folder_id")
    .select([
      "a.id",
      "a.filename",
      "a.content_type",
      "a.size",
      "a.content_id",
      "a.message_id",
      "m.account_id",
      "m.uid",
      "f.path as folder_path",
    ])
    .where("a.id", "=", attachmentId)
    .where("m.user_id", "=", userId)
    .executeTakeFirst();
}
