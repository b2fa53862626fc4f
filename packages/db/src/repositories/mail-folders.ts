import type { Executor } from "../executor.ts";
import type { MailFolderRole, MailFolderRow } from "../schema-mail.ts";
import { deleteEmptyMailThreads, refreshMailThreads } from "./mail-threads.ts";

export interface MailFolderInput {
  path: string;
  name: string;
  role: MailFolderRole | null;
}

/** Creates the folder or updates its name and role; answers the stored row (sync state kept). */
export function upsertMailFolder(db: Executor, accountId: string, folder: MailFolderInput): Promise<MailFolderRow> {
  return db
    .insertInto("mail_folders")
    .values({ account_id: accountId, path: folder.path, name: folder.name, role: folder.role })
    .onConflict((conflict) =>
      conflict.columns(["account_id", "path"]).doUpdateSet({ name: folder.name, role: folder.role }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listMailFolders(db: Executor, accountId: string): Promise<MailFolderRow[]> {
  return db.selectFrom("mail_folders").selectAll().where("account_id", "=", accountId).orderBy("path").execute();
}

export type MailFolderWithCounts = MailFolderRow & { unread: number; total: number };

/** The user's folders (of one account, or of all), with message and unread counts (`mail.folders`). */
export async function listMailFoldersWithCounts(
  db: Executor,
  userId: string,
  accountId?: string,
): Promise<MailFolderWithCounts[]> {
  let query = db
    .selectFrom("mail_folders as f")
    .innerJoin("mail_accounts as a", "a.id", "f.account_id")
    .selectAll("f")
    .select((eb) => [
      eb
        .selectFrom("mail_messages as m")
        .whereRef("m.folder_id", "=", "f.id")
        .select(eb.fn.countAll<number>().as("total"))
        .as("total"),
      eb
        .selectFrom("mail_messages as m")
        .whereRef("m.folder_id", "=", "f.id")
        .where("m.seen", "=", false)
        .select(eb.fn.countAll<number>().as("unread"))
        .as("unread"),
    ])
    .where("a.user_id", "=", userId);
  if (accountId !== undefined) query = query.where("f.account_id", "=", accountId);
  const rows = await query.orderBy("f.account_id").orderBy("f.path").execute();
  return rows.map((row) => ({ ...row, total: Number(row.total ?? 0), unread: Number(row.unread ?? 0) }));
}

export interface FolderSyncState {
  uidValidity: number;
  uidNext: number;
  highestModseq: bigint | null;
}

export async function setMailFolderSyncState(db: Executor, folderId: string, state: FolderSyncState): Promise<void> {
  await db
    .updateTable("mail_folders")
    .set({
      uid_validity: state.uidValidity,
      uid_next: state.uidNext,
      highest_modseq: state.highestModseq === null ? null : state.highestModseq.toString(),
    })
    .where("id", "=", folderId)
    .execute();
}

/**
 * Forgets a folder's messages and sync state (its UIDVALIDITY changed, so every UID is void); the
 * threads they were in are recounted and dropped when empty.
 */
export async function clearMailFolder(
  db: Executor,
  folderId: string,
): Promise<{ updatedThreadIds: string[]; removedThreadIds: string[] }> {
  const removed = await db
    .deleteFrom("mail_messages")
    .where("folder_id", "=", folderId)
    .returning("thread_id")
    .execute();
  await db
    .updateTable("mail_folders")
    .set({ uid_validity: null, uid_next: null, highest_modseq: null })
    .where("id", "=", folderId)
    .execute();
  const threadIds = [...new Set(removed.map((row) => row.thread_id))];
  await refreshMailThreads(db, threadIds);
  const removedThreadIds = await deleteEmptyMailThreads(db, threadIds);
  const gone = new Set(removedThreadIds);
  return { updatedThreadIds: threadIds.filter((id) => !gone.has(id)), removedThreadIds };
}

/** The folder if it is in one of the user's accounts (S27: another user's id finds nothing). */
export function findMailFolder(db: Executor, userId: string, folderId: string): Promise<MailFolderRow | undefined> {
  return db
    .selectFrom("mail_folders as f")
    .innerJoin("mail_accounts as a", "a.id", "f.account_id")
    .selectAll("f")
    .where("f.id", "=", folderId)
    .where("a.user_id", "=", userId)
    .executeTakeFirst();
}

/** Each given account's folder with this role (accounts without one are missing from the map). */
export async function findMailFoldersByRole(
  db: Executor,
  accountIds: readonly string[],
  role: MailFolderRole,
): Promise<Map<string, MailFolderRow>> {
  if (!accountIds.length) return new Map();
  const rows = await db
    .selectFrom("mail_folders")
    .selectAll()
    .where("account_id", "in", [...accountIds])
    .where("role", "=", role)
    .orderBy("path")
    .execute();
  const byAccount = new Map<string, MailFolderRow>();
  for (const row of rows) if (!byAccount.has(row.account_id)) byAccount.set(row.account_id, row);
  return byAccount;
}

/** Folders by id (for the worker carrying a change to the server: it needs their paths). */
export async function listMailFoldersById(db: Executor, folderIds: readonly string[]): Promise<MailFolderRow[]> {
  if (!folderIds.length) return [];
  return db
    .selectFrom("mail_folders")
    .selectAll()
    .where("id", "in", [...folderIds])
    .execute();
}
