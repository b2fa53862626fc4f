import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { Database } from "../schema.ts";
import type { MailThreadRow } from "../schema-mail.ts";

/** Which threads already hold (or reference) the given Message-IDs, and the provider thread's one. */
export async function findMailThreadLinks(
  db: Executor,
  accountId: string,
  messageIds: readonly string[],
  providerThreadId: string | null = null,
): Promise<{ byMessageId: Map<string, string>; byProviderThreadId: string | undefined }> {
  const links = messageIds.length
    ? await db
        .selectFrom("mail_thread_links")
        .select(["message_id", "thread_id"])
        .where("account_id", "=", accountId)
        .where("message_id", "in", [...messageIds])
        .execute()
    : [];
  const provider = providerThreadId
    ? await db
        .selectFrom("mail_threads")
        .select("id")
        .where("account_id", "=", accountId)
        .where("provider_thread_id", "=", providerThreadId)
        .executeTakeFirst()
    : undefined;
  return {
    byMessageId: new Map(links.map((link) => [link.message_id, link.thread_id])),
    byProviderThreadId: provider?.id,
  };
}

export interface ThreadPlacement {
  accountId: string;
  userId: string;
  /** The thread to join, or null for a new one. */
  threadId: string | null;
  /** Threads to merge into it. */
  merge: readonly string[];
  /** Message-IDs the thread now holds or references. */
  claims: readonly string[];
  providerThreadId?: string | null;
}

/**
 * Carries out a threading decision (the caller decides, see @tidings/mail planThread): creates the
 * thread if needed, moves the merged threads' messages and links into it, records the claims.
 * Answers the thread id. Run it in the same transaction as the message insert.
 */
export async function placeInMailThread(db: Executor, placement: ThreadPlacement): Promise<string> {
  const threadId =
    placement.threadId ??
    (
      await db
        .insertInto("mail_threads")
        .values({
          account_id: placement.accountId,
          user_id: placement.userId,
          provider_thread_id: placement.providerThreadId ?? null,
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  const merging = placement.merge.filter((id) => id !== threadId);
  if (merging.length) {
    await db.updateTable("mail_messages").set({ thread_id: threadId }).where("thread_id", "in", merging).execute();
    await db.updateTable("mail_thread_links").set({ thread_id: threadId }).where("thread_id", "in", merging).execute();
    // The surviving thread takes over a provider thread id the merged ones had.
    const provider = await db
      .selectFrom("mail_threads")
      .select("provider_thread_id")
      .where("id", "in", merging)
      .where("provider_thread_id", "is not", null)
      .executeTakeFirst();
    await db.deleteFrom("mail_threads").where("id", "in", merging).execute();
    if (provider?.provider_thread_id) {
      await db
        .updateTable("mail_threads")
        .set({ provider_thread_id: provider.provider_thread_id })
        .where("id", "=", threadId)
        .where("provider_thread_id", "is", null)
        .execute();
    }
  }
  // One row per id: ON CONFLICT may not touch the same row twice in one statement.
  const claims = [...new Set(placement.claims)];
  if (claims.length) {
    await db
      .insertInto("mail_thread_links")
      .values(
        claims.map((messageId) => ({
          account_id: placement.accountId,
          message_id: messageId,
          thread_id: threadId,
        })),
      )
      .onConflict((conflict) => conflict.columns(["account_id", "message_id"]).doUpdateSet({ thread_id: threadId }))
      .execute();
  }
  return threadId;
}

/** Recomputes the threads' summaries (subject, snippet, counts, latest date) from their messages. */
export async function refreshMailThreads(db: Executor, threadIds: readonly string[]): Promise<void> {
  if (!threadIds.length) return;
  await sql`
    update mail_threads t set
      message_count = s.message_count,
      unread_count = s.unread_count,
      flagged_count = s.flagged_count,
      has_attachments = s.has_attachments,
      last_message_at = s.last_message_at,
      subject = s.subject,
      snippet = s.snippet
    from (
      select m.thread_id,
        count(*)::int as message_count,
        count(*) filter (where not m.seen)::int as unread_count,
        count(*) filter (where m.flagged)::int as flagged_count,
        bool_or(m.has_attachments) as has_attachments,
        max(m.date) as last_message_at,
        (array_agg(m.subject order by m.date asc, m.id asc))[1] as subject,
        (array_agg(m.snippet order by m.date desc, m.id desc))[1] as snippet
      from mail_messages m
      where m.thread_id in (${sql.join(threadIds.map((id) => sql`${id}::uuid`))})
      group by m.thread_id
    ) s
    where t.id = s.thread_id`.execute(db);
}

/** Drops threads left without messages (their links go with them). */
export async function deleteEmptyMailThreads(db: Executor, threadIds: readonly string[]): Promise<void> {
  if (!threadIds.length) return;
  await db
    .deleteFrom("mail_threads")
    .where("id", "in", [...threadIds])
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("mail_messages").select("id").whereRef("mail_messages.thread_id", "=", "mail_threads.id"))),
    )
    .execute();
}

/** A parsed search (structurally @tidings/mail's SearchQuery). */
export interface MailThreadSearch {
  words: readonly string[];
  phrases: readonly string[];
  from: readonly string[];
  to: readonly string[];
  subject: readonly string[];
  hasAttachment: boolean;
  unread: boolean;
  before: Date | null;
  after: Date | null;
}

export interface MailThreadListOptions {
  userId: string;
  accountId?: string;
  folderId?: string;
  search?: MailThreadSearch;
  cursor?: string;
  limit?: number;
}

export class InvalidCursorError extends Error {
  readonly field = "cursor";
  constructor() {
    super("cursor: not a cursor this list handed out");
    this.name = "InvalidCursorError";
  }
}

/**
 * The user's threads, newest first, by keyset (last_message_at, id): a page costs the same however
 * deep it is. With `search`, a thread is listed when one of its messages matches every part.
 */
export async function listMailThreads(
  db: Executor,
  options: MailThreadListOptions,
): Promise<{ items: MailThreadRow[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  let query = db.selectFrom("mail_threads as t").selectAll("t").where("t.user_id", "=", options.userId);
  if (options.accountId) query = query.where("t.account_id", "=", options.accountId);
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb("t.last_message_at", "<", after.at),
        eb.and([eb("t.last_message_at", "=", after.at), eb("t.id", "<", after.id)]),
      ]),
    );
  }
  const folderId = options.folderId;
  const search = options.search;
  if (folderId !== undefined || search !== undefined) {
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom("mail_messages as m")
          .select("m.id")
          .whereRef("m.thread_id", "=", "t.id")
          .where((eb) => eb.and(messageConditions(eb, folderId, search))),
      ),
    );
  }
  const rows = await query
    .orderBy("t.last_message_at", "desc")
    .orderBy("t.id", "desc")
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.last_message_at, last.id) : null };
}

function messageConditions(
  eb: ExpressionBuilder<Database & { m: Database["mail_messages"] }, "m">,
  folderId: string | undefined,
  search: MailThreadSearch | undefined,
): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (folderId !== undefined) conditions.push(eb("m.folder_id", "=", folderId));
  if (!search) return conditions;
  if (search.words.length) {
    conditions.push(sql<SqlBool>`m.search @@ plainto_tsquery('simple'::regconfig, ${search.words.join(" ")})`);
  }
  for (const phrase of search.phrases) {
    conditions.push(sql<SqlBool>`m.search @@ phraseto_tsquery('simple'::regconfig, ${phrase})`);
  }
  for (const from of search.from) {
    const pattern = containsPattern(from);
    conditions.push(eb.or([eb("m.from_email", "ilike", pattern), eb("m.from_name", "ilike", pattern)]));
  }
  for (const to of search.to) conditions.push(eb("m.recipients_text", "ilike", containsPattern(to)));
  for (const subject of search.subject) conditions.push(eb("m.subject", "ilike", containsPattern(subject)));
  if (search.hasAttachment) conditions.push(eb("m.has_attachments", "=", true));
  if (search.unread) conditions.push(eb("m.seen", "=", false));
  if (search.before) conditions.push(eb("m.date", "<", search.before));
  if (search.after) conditions.push(eb("m.date", ">=", search.after));
  return conditions;
}

/** An ILIKE pattern matching the text anywhere, with its own % and _ taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString("base64url");
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    const date = typeof at === "string" ? new Date(at) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime()) || typeof id !== "string" || !/^[0-9a-f-]{36}$/.test(id)) throw new Error();
    return { at: date, id };
  } catch {
    throw new InvalidCursorError();
  }
}
