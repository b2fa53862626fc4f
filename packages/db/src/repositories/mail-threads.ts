import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { Executor } from "../executor.ts";
import type { Database } from "../schema.ts";
import type { AiPriority } from "../schema-ai.ts";
import type { MailAddress, MailFolderRole, MailThreadRow } from "../schema-mail.ts";
import { chunked, IN_LIST_CHUNK, ROW_CHUNK } from "./chunked.ts";

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

/** A thread as findMailThreadLinksBatch knows it: its id and the provider thread id it holds. */
export interface KnownMailThread {
  threadId: string;
  providerThreadId: string | null;
}

/**
 * findMailThreadLinks for a whole batch of messages: the threads holding (or referencing) any of
 * the Message-IDs, and those holding any of the provider thread ids, each with its provider id, in
 * two statements (per chunk of ids) however many messages the batch has.
 */
export async function findMailThreadLinksBatch(
  db: Executor,
  accountId: string,
  messageIds: readonly string[],
  providerThreadIds: readonly string[] = [],
): Promise<{ byMessageId: Map<string, KnownMailThread>; byProviderThreadId: Map<string, string> }> {
  const byMessageId = new Map<string, KnownMailThread>();
  const byProviderThreadId = new Map<string, string>();
  for (const ids of chunked([...new Set(messageIds)], IN_LIST_CHUNK)) {
    const rows = await db
      .selectFrom("mail_thread_links as l")
      .innerJoin("mail_threads as t", "t.id", "l.thread_id")
      .select(["l.message_id", "l.thread_id", "t.provider_thread_id"])
      .where("l.account_id", "=", accountId)
      .where("l.message_id", "in", ids)
      .execute();
    for (const row of rows) {
      byMessageId.set(row.message_id, { threadId: row.thread_id, providerThreadId: row.provider_thread_id });
    }
  }
  for (const ids of chunked([...new Set(providerThreadIds)], IN_LIST_CHUNK)) {
    const rows = await db
      .selectFrom("mail_threads")
      .select(["id", "provider_thread_id"])
      .where("account_id", "=", accountId)
      .where("provider_thread_id", "in", ids)
      .execute();
    for (const row of rows) if (row.provider_thread_id) byProviderThreadId.set(row.provider_thread_id, row.id);
  }
  return { byMessageId, byProviderThreadId };
}

/** New threads with ids chosen by the caller (a batch plans its threads before storing them). */
export async function insertMailThreadsWithIds(
  db: Executor,
  threads: readonly { id: string; accountId: string; userId: string; providerThreadId: string | null }[],
): Promise<void> {
  for (const rows of chunked(threads, ROW_CHUNK)) {
    await db
      .insertInto("mail_threads")
      .values(
        rows.map((thread) => ({
          id: thread.id,
          account_id: thread.accountId,
          user_id: thread.userId,
          provider_thread_id: thread.providerThreadId,
        })),
      )
      .execute();
  }
}

/**
 * Moves the messages and links of the `merging` threads into `threadId` and deletes them; answers
 * the provider thread ids they held (gone with them), for the caller to hand to the survivor.
 */
export async function mergeMailThreadsInto(
  db: Executor,
  threadId: string,
  merging: readonly string[],
): Promise<string[]> {
  const others = [...new Set(merging)].filter((id) => id !== threadId);
  if (!others.length) return [];
  await db.updateTable("mail_messages").set({ thread_id: threadId }).where("thread_id", "in", others).execute();
  await db.updateTable("mail_thread_links").set({ thread_id: threadId }).where("thread_id", "in", others).execute();
  const removed = await db
    .deleteFrom("mail_threads")
    .where("id", "in", others)
    .returning("provider_thread_id")
    .execute();
  return removed.flatMap((row) => (row.provider_thread_id ? [row.provider_thread_id] : []));
}

/** Gives threads a provider thread id, unless they hold one already. */
export async function setMailThreadProviderIds(
  db: Executor,
  threads: readonly { threadId: string; providerThreadId: string }[],
): Promise<void> {
  for (const thread of threads) {
    await db
      .updateTable("mail_threads")
      .set({ provider_thread_id: thread.providerThreadId })
      .where("id", "=", thread.threadId)
      .where("provider_thread_id", "is", null)
      .execute();
  }
}

/** Records which thread holds (or references) each Message-ID, in multi-row statements. */
export async function upsertMailThreadLinks(
  db: Executor,
  accountId: string,
  links: readonly { messageId: string; threadId: string }[],
): Promise<void> {
  // One row per id: ON CONFLICT may not touch the same row twice in one statement (the last wins).
  const unique = [...new Map(links.map((link) => [link.messageId, link.threadId])).entries()];
  for (const rows of chunked(unique, ROW_CHUNK * 4)) {
    await db
      .insertInto("mail_thread_links")
      .values(
        rows.map(([messageId, threadId]) => ({ account_id: accountId, message_id: messageId, thread_id: threadId })),
      )
      .onConflict((conflict) =>
        conflict
          .columns(["account_id", "message_id"])
          .doUpdateSet((eb) => ({ thread_id: eb.ref("excluded.thread_id") })),
      )
      .execute();
  }
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
  // The surviving thread takes over a provider thread id the merged ones had.
  const [provider] = await mergeMailThreadsInto(db, threadId, placement.merge);
  if (provider) await setMailThreadProviderIds(db, [{ threadId, providerThreadId: provider }]);
  await upsertMailThreadLinks(
    db,
    placement.accountId,
    placement.claims.map((messageId) => ({ messageId, threadId })),
  );
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

/** Drops threads left without messages (their links go with them); answers the ids dropped. */
export async function deleteEmptyMailThreads(db: Executor, threadIds: readonly string[]): Promise<string[]> {
  if (!threadIds.length) return [];
  const removed = await db
    .deleteFrom("mail_threads")
    .where("id", "in", [...threadIds])
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("mail_messages").select("id").whereRef("mail_messages.thread_id", "=", "mail_threads.id"))),
    )
    .returning("id")
    .execute();
  return removed.map((row) => row.id);
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

/** Thread-level filters of `mail.threads`; the AI ones look at the thread's latest analysis. */
export interface MailThreadFilter {
  unread?: boolean;
  starred?: boolean;
  hasAttachments?: boolean;
  needsReply?: boolean;
  priority?: AiPriority;
  category?: string;
}

export interface MailThreadListOptions {
  userId: string;
  accountId?: string;
  folderId?: string;
  /** Threads with a message in a folder of this role, in any of the user's accounts (unified view). */
  role?: MailFolderRole;
  search?: MailThreadSearch;
  filter?: MailThreadFilter;
  /**
   * Only these threads, of those the other options match: how an open list learns, for threads an
   * event named, whether each still belongs in it and how it reads now, without reloading its pages.
   */
  threadIds?: readonly string[];
  /** "date": newest first; "priority": high, normal (or not analysed yet), low, then newest first. */
  sort?: "date" | "priority";
  cursor?: string;
  limit?: number;
}

/** A listed thread with its latest ready AI analysis (all null when it has none). */
export type MailThreadListItem = MailThreadRow & {
  ai_priority: AiPriority | null;
  ai_category: string | null;
  ai_needs_reply: boolean | null;
  ai_summary: string | null;
  /** The analysed message (the thread's newest with a ready analysis) and why it was marked so. */
  ai_message_id: string | null;
  ai_reasons: string[] | null;
  /** Whether a ready analysis exists for a message of the thread. */
  ai_analysed: boolean;
};

export class InvalidCursorError extends Error {
  readonly field = "cursor";
  constructor() {
    super("cursor: not a cursor this list handed out");
    this.name = "InvalidCursorError";
  }
}

// Unanalysed threads rank with "normal": new mail is not buried while its analysis is pending.
const priorityRank = sql<number>`(case ai.priority when 'high' then 2 when 'low' then 0 else 1 end)`;
const latestMicros = sql<string>`floor(extract(epoch from t.last_message_at) * 1000000)::bigint::text`;

/**
 * The user's threads by keyset, newest first or by priority: a page costs the same however deep it
 * is, and the cursor holds the last row's exact time (microseconds), so no row is lost or repeated
 * between pages. With `folderId`, `role` or `search`, a thread is listed when one of its messages
 * matches all of them.
 */
export async function listMailThreads(
  db: Executor,
  options: MailThreadListOptions,
): Promise<{ items: MailThreadListItem[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const sort = options.sort ?? "date";
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, sort);
  let query = matchingThreads(db, options)
    .selectAll("t")
    .select([
      "ai.priority as ai_priority",
      "ai.category as ai_category",
      "ai.needs_reply as ai_needs_reply",
      "ai.summary as ai_summary",
      "ai.message_id as ai_message_id",
      "ai.reasons as ai_reasons",
      sql<boolean>`ai.priority is not null or ai.category is not null`.as("ai_analysed"),
      latestMicros.as("latest_micros"),
      priorityRank.as("priority_rank"),
    ]);
  if (after) {
    const at = sql`(timestamptz 'epoch' + ${after.micros}::bigint * interval '1 microsecond')`;
    query = query.where(
      after.rank === undefined
        ? sql<SqlBool>`(t.last_message_at, t.id) < (${at}, ${after.id}::uuid)`
        : sql<SqlBool>`(${priorityRank}, t.last_message_at, t.id) < (${after.rank}, ${at}, ${after.id}::uuid)`,
    );
  }
  if (sort === "priority") query = query.orderBy(priorityRank, "desc");
  const rows = await query
    .orderBy("t.last_message_at", "desc")
    .orderBy("t.id", "desc")
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map(({ latest_micros: _micros, priority_rank: _rank, ...item }) => item);
  const last = rows[limit - 1];
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor(
          sort === "priority"
            ? ["p", Number(last.priority_rank), last.latest_micros, last.id]
            : ["d", last.latest_micros, last.id],
        )
      : null;
  return { items, nextCursor };
}

/** What decides which threads a list holds (no order, no page). */
export type MailThreadMatch = Pick<
  MailThreadListOptions,
  "userId" | "accountId" | "folderId" | "role" | "search" | "filter" | "threadIds"
>;

/** How many threads `listMailThreads` would list with these options, over every page. */
export async function countMailThreads(db: Executor, options: MailThreadMatch): Promise<number> {
  const row = await matchingThreads(db, options)
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * The user's threads that match, each joined with its latest ready analysis (`ai`): one definition
 * shared by the list and its count, so a count always says how long the list is.
 */
function matchingThreads(db: Executor, options: MailThreadMatch) {
  let query = db
    .selectFrom("mail_threads as t")
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom("mail_messages as am")
          .innerJoin("ai_analyses as a", "a.message_id", "am.id")
          .select(["a.priority", "a.category", "a.needs_reply", "a.summary", "a.message_id", "a.reasons"])
          .whereRef("am.thread_id", "=", "t.id")
          .where("a.status", "=", "ready")
          .orderBy("am.date", "desc")
          .orderBy("am.id", "desc")
          .limit(1)
          .as("ai"),
      (join) => join.onTrue(),
    )
    .where("t.user_id", "=", options.userId);
  if (options.accountId) query = query.where("t.account_id", "=", options.accountId);
  if (options.threadIds) {
    if (!options.threadIds.length) return query.where(sql<SqlBool>`false`);
    query = query.where("t.id", "in", options.threadIds);
  }
  const filter = options.filter ?? {};
  if (filter.unread !== undefined) query = query.where("t.unread_count", filter.unread ? ">" : "=", 0);
  if (filter.starred !== undefined) query = query.where("t.flagged_count", filter.starred ? ">" : "=", 0);
  if (filter.hasAttachments !== undefined) query = query.where("t.has_attachments", "=", filter.hasAttachments);
  if (filter.needsReply !== undefined) {
    query = query.where(
      filter.needsReply ? sql<SqlBool>`ai.needs_reply is true` : sql<SqlBool>`ai.needs_reply is not true`,
    );
  }
  if (filter.priority !== undefined) query = query.where("ai.priority", "=", filter.priority);
  if (filter.category !== undefined) query = query.where("ai.category", "=", filter.category);
  const { folderId, role, search } = options;
  if (folderId !== undefined || role !== undefined || search !== undefined) {
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom("mail_messages as m")
          .select("m.id")
          .whereRef("m.thread_id", "=", "t.id")
          .where((eb) => eb.and(messageConditions(eb, folderId, search, role))),
      ),
    );
  }
  return query;
}

export interface MailThreadDetails {
  /** Folders holding a message of the thread. */
  folderIds: string[];
  /** Senders of the thread's messages, each once, in the order they first wrote. */
  participants: MailAddress[];
}

/** Folders and senders of each listed thread, in two queries for the whole page. */
export async function listMailThreadDetails(
  db: Executor,
  threadIds: readonly string[],
): Promise<Map<string, MailThreadDetails>> {
  const details = new Map<string, MailThreadDetails>(threadIds.map((id) => [id, { folderIds: [], participants: [] }]));
  if (!threadIds.length) return details;
  const folders = await db
    .selectFrom("mail_messages")
    .select(["thread_id", "folder_id"])
    .distinct()
    .where("thread_id", "in", [...threadIds])
    .orderBy("thread_id")
    .orderBy("folder_id")
    .execute();
  for (const row of folders) details.get(row.thread_id)?.folderIds.push(row.folder_id);
  // Each sender once per thread (the first message of theirs), then in the order they first wrote.
  const senders = await db
    .selectFrom("mail_messages")
    .distinctOn(["thread_id", sql`lower(from_email)`])
    .select(["thread_id", "from_name", "from_email", "date", "id"])
    .where("thread_id", "in", [...threadIds])
    .where("from_email", "<>", "")
    .orderBy("thread_id")
    .orderBy(sql`lower(from_email)`)
    .orderBy("date")
    .orderBy("id")
    .execute();
  senders.sort((a, b) => a.date.getTime() - b.date.getTime() || a.id.localeCompare(b.id));
  for (const row of senders) {
    details.get(row.thread_id)?.participants.push({ name: row.from_name, email: row.from_email });
  }
  return details;
}

function messageConditions(
  eb: ExpressionBuilder<Database & { m: Database["mail_messages"] }, "m">,
  folderId: string | undefined,
  search: MailThreadSearch | undefined,
  role?: MailFolderRole,
): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (folderId !== undefined) conditions.push(eb("m.folder_id", "=", folderId));
  if (role !== undefined) {
    conditions.push(
      // The message's own folder by primary key, rather than every folder of that role of every user.
      eb.exists(
        eb
          .selectFrom("mail_folders as rf")
          .select("rf.id")
          .whereRef("rf.id", "=", "m.folder_id")
          .where("rf.role", "=", role),
      ),
    );
  }
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

type CursorParts = ["d", string, string] | ["p", number, string, string];

function encodeCursor(parts: CursorParts): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

/**
 * The cursor's position, refused unless it was handed out by a list of the same sort. Times are
 * microseconds since 1970 below 10^16 (before the year 2286), so a forged one cannot reach a time
 * Postgres refuses.
 */
function decodeCursor(cursor: string, sort: "date" | "priority"): { rank?: number; micros: string; id: string } {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parts)) throw new InvalidCursorError();
  const [kind, ...rest] = parts as unknown[];
  const position =
    sort === "priority" && kind === "p" ? rest : sort === "date" && kind === "d" ? [undefined, ...rest] : null;
  if (position?.length !== 3) throw new InvalidCursorError();
  const [rank, micros, id] = position;
  const rankOk = sort === "date" ? rank === undefined : rank === 0 || rank === 1 || rank === 2;
  if (!rankOk || typeof micros !== "string" || !/^\d{1,16}$/.test(micros)) throw new InvalidCursorError();
  if (typeof id !== "string" || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new InvalidCursorError();
  }
  return { rank: rank as number | undefined, micros, id };
}

/** The thread if it is the user's (S27: another user's id finds nothing). */
export function findMailThread(db: Executor, userId: string, threadId: string): Promise<MailThreadRow | undefined> {
  return db
    .selectFrom("mail_threads")
    .selectAll()
    .where("id", "=", threadId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

/** Empty threads in one statement (generated mail, see insertMailMessagesBulk); answers their ids in order. */
export async function insertMailThreadsBulk(
  db: Executor,
  threads: readonly { accountId: string; userId: string }[],
): Promise<string[]> {
  if (!threads.length) return [];
  const ids = threads.map(() => crypto.randomUUID());
  await db
    .insertInto("mail_threads")
    .values(threads.map((thread, index) => ({ id: ids[index], account_id: thread.accountId, user_id: thread.userId })))
    .execute();
  return ids;
}

/** Refreshes the planner's statistics of the mail tables (after a bulk load). */
export async function analyzeMailTables(db: Executor): Promise<void> {
  await sql`analyze mail_threads, mail_messages, mail_folders, ai_analyses`.execute(db);
}
