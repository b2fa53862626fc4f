import { createTestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clearMailFolder,
  createDatabase,
  type DatabaseHandle,
  deleteMailAccount,
  deleteMailMessagesByUid,
  findMailAccount,
  findMailThreadLinks,
  InvalidCursorError,
  insertMailAccount,
  insertMailMessage,
  listMailAccounts,
  listMailFoldersWithCounts,
  listMailMessageUids,
  listMailThreadMessages,
  listMailThreads,
  type MailThreadSearch,
  migrateToLatest,
  type NewMailMessage,
  placeInMailThread,
  refreshMailThreads,
  setMailAccountStatus,
  setMailFolderSyncState,
  setMailMessageFlags,
  upsertMailFolder,
} from "../src/index.ts";

const engines: Array<[string, () => Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }>]> = [
  ["Postgres (or PGlite where none answers)", () => createTestDatabase()],
  [
    "PGlite",
    async () => {
      const handle = createDatabase({});
      await migrateToLatest(handle.db);
      return { handle, drop: () => handle.close() };
    },
  ],
];

const noSearch: MailThreadSearch = {
  words: [],
  phrases: [],
  from: [],
  to: [],
  subject: [],
  hasAttachment: false,
  unread: false,
  before: null,
  after: null,
};

describe.each(engines)("mail storage on %s", (_name, open) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let userId: string;
  let otherUserId: string;
  let accountId: string;
  let inboxId: string;
  let uid = 0;

  const user = async (email: string) =>
    (
      await handle.db
        .insertInto("users")
        .values({ email, email_normalized: email })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;

  /** Files a message the way the sync engine does: find links, place, insert, refresh. */
  const store = async (
    fields: Partial<NewMailMessage> & { messageId: string | null },
    providerThreadId: string | null = null,
  ): Promise<string> =>
    handle.db.transaction().execute(async (trx) => {
      const ids = [...(fields.references ?? []), fields.inReplyTo ?? null, fields.messageId].filter(
        (id): id is string => !!id,
      );
      const known = await findMailThreadLinks(trx, accountId, ids, providerThreadId);
      const found = [
        ...new Set(
          [known.byProviderThreadId, ...ids.map((id) => known.byMessageId.get(id))].filter((id): id is string => !!id),
        ),
      ];
      const threadId = await placeInMailThread(trx, {
        accountId,
        userId,
        threadId: found[0] ?? null,
        merge: found.slice(1),
        claims: ids,
        providerThreadId,
      });
      uid += 1;
      await insertMailMessage(trx, {
        accountId,
        userId,
        folderId: inboxId,
        threadId,
        uid,
        inReplyTo: null,
        references: [],
        from: { name: "Ann Example", email: "ann@example.test" },
        to: [{ name: "Bob", email: "bob@example.test" }],
        cc: [],
        replyTo: [],
        subject: "Hello",
        date: new Date("2026-12-01T10:00:00Z"),
        text: "hello there",
        html: null,
        hasRemoteContent: false,
        flags: { seen: false, flagged: false, answered: false, draft: false },
        size: 100,
        attachments: [],
        ...fields,
      });
      await refreshMailThreads(trx, [threadId]);
      return threadId;
    });

  beforeAll(async () => {
    ({ handle, drop } = await open());
    userId = await user("owner@example.test");
    otherUserId = await user("other@example.test");
    const account = await insertMailAccount(handle.db, {
      userId,
      email: "owner@example.test",
      provider: "custom",
      imap: { host: "imap.example.test", port: 993, security: "tls", username: "owner" },
      smtp: { host: "smtp.example.test", port: 587, security: "starttls", username: "owner" },
      credentialsSealed: "v1.sealed-by-caller",
    });
    accountId = account.id;
    inboxId = (await upsertMailFolder(handle.db, accountId, { path: "INBOX", name: "Inbox", role: "inbox" })).id;
    // PGlite compiles its WebAssembly and migrates first: slow on a busy machine.
  }, 120_000);
  afterAll(() => drop?.());

  it("keeps accounts per user, with status and error", async () => {
    expect(await findMailAccount(handle.db, otherUserId, accountId)).toBeUndefined();
    expect((await listMailAccounts(handle.db, userId)).map((account) => account.id)).toEqual([accountId]);
    expect(await listMailAccounts(handle.db, otherUserId)).toEqual([]);

    await setMailAccountStatus(handle.db, accountId, "error", { code: "MAIL_AUTH_FAILED", message: "refused" });
    expect(await findMailAccount(handle.db, userId, accountId)).toMatchObject({
      status: "error",
      error_code: "MAIL_AUTH_FAILED",
      error_message: "refused",
      credentials_sealed: "v1.sealed-by-caller",
      sync_days: 365,
    });
    await setMailAccountStatus(handle.db, accountId, "ready");
    const ready = await findMailAccount(handle.db, userId, accountId);
    expect(ready).toMatchObject({ status: "ready", error_code: null, error_at: null });
    expect(ready?.last_sync_at).toBeInstanceOf(Date);
  });

  it("keeps a folder's sync state exactly, MODSEQ beyond 2^53 included", async () => {
    const folder = await upsertMailFolder(handle.db, accountId, { path: "Archive", name: "Archive", role: "archive" });
    await setMailFolderSyncState(handle.db, folder.id, {
      uidValidity: 4_294_967_295,
      uidNext: 12,
      highestModseq: 9_223_372_036_854_775_807n,
    });
    const again = await upsertMailFolder(handle.db, accountId, { path: "Archive", name: "Old mail", role: "archive" });
    expect(again).toMatchObject({
      id: folder.id,
      name: "Old mail",
      uid_validity: 4_294_967_295,
      uid_next: 12,
      highest_modseq: "9223372036854775807",
    });
  });

  it("threads by references and merges two threads when a late message links them", async () => {
    const root = await store({ messageId: "root@t", subject: "Plan", date: new Date("2026-11-01T09:00:00Z") });
    const grandchild = await store({
      messageId: "gc@t",
      inReplyTo: "child@t",
      references: ["child@t"],
      subject: "Re: Re: Plan",
      date: new Date("2026-11-01T11:00:00Z"),
    });
    expect(grandchild).not.toBe(root);
    const child = await store({
      messageId: "child@t",
      inReplyTo: "root@t",
      references: ["root@t"],
      subject: "Re: Plan",
      date: new Date("2026-11-01T10:00:00Z"),
    });
    expect(child).toBe(root);
    const messages = await listMailThreadMessages(handle.db, userId, root);
    expect(messages.map((message) => message.message_id)).toEqual(["root@t", "child@t", "gc@t"]);
    const thread = await handle.db.selectFrom("mail_threads").selectAll().where("id", "=", root).executeTakeFirst();
    expect(thread).toMatchObject({ message_count: 3, unread_count: 3, subject: "Plan" });
    expect(
      await handle.db.selectFrom("mail_threads").select("id").where("id", "=", grandchild).executeTakeFirst(),
    ).toBeUndefined();
    expect(await listMailThreadMessages(handle.db, otherUserId, root)).toEqual([]);
  });

  it("groups by provider thread id, and never doubles a UID", async () => {
    const first = await store({ messageId: "gm1@t", subject: "Gmail A" }, "1790");
    const second = await store({ messageId: "gm2@t", subject: "Gmail B" }, "1790");
    expect(second).toBe(first);
    const message = (await listMailThreadMessages(handle.db, userId, first))[0];
    if (!message) throw new Error("no message");
    const duplicate = await insertMailMessage(handle.db, {
      accountId,
      userId,
      folderId: inboxId,
      threadId: first,
      uid: message.uid,
      messageId: "gm1@t",
      inReplyTo: null,
      references: [],
      from: null,
      to: [],
      cc: [],
      replyTo: [],
      subject: "again",
      date: new Date(),
      text: null,
      html: null,
      hasRemoteContent: false,
      flags: { seen: true, flagged: false, answered: false, draft: false },
      size: 1,
      attachments: [],
    });
    expect(duplicate).toBeNull();
  });

  it("finds by full text and by every operator", async () => {
    const invoice = await store({
      messageId: "invoice@t",
      subject: "Invoice December",
      from: { name: "Billing Dept", email: "billing@shop.test" },
      to: [{ name: "Carol Jones", email: "carol@example.test" }],
      text: "Please find the quarterly statement attached. Payment due soon.",
      date: new Date("2026-12-03T08:00:00Z"),
      attachments: [
        { filename: "invoice.pdf", contentType: "application/pdf", size: 10, inline: false, contentId: null },
      ],
    });
    const seenNote = await store({
      messageId: "note@t",
      subject: "Lunch",
      text: "statement about lunch, quarterly plans",
      date: new Date("2026-10-03T08:00:00Z"),
      flags: { seen: true, flagged: false, answered: false, draft: false },
    });
    const ids = async (search: Partial<MailThreadSearch>) =>
      (await listMailThreads(handle.db, { userId, search: { ...noSearch, ...search } })).items.map((t) => t.id);

    expect(await ids({ words: ["quarterly"] })).toEqual([invoice, seenNote]);
    expect(await ids({ words: ["invoice"] })).toEqual([invoice]);
    expect(await ids({ phrases: ["quarterly statement"] })).toEqual([invoice]);
    expect(await ids({ phrases: ["statement quarterly"] })).toEqual([]);
    expect(await ids({ from: ["billing@"] })).toEqual([invoice]);
    expect(await ids({ from: ["Billing Dept"] })).toEqual([invoice]);
    expect(await ids({ to: ["carol"] })).toEqual([invoice]);
    expect(await ids({ subject: ["lunch"] })).toEqual([seenNote]);
    expect(await ids({ subject: ["100%_"] })).toEqual([]);
    expect(await ids({ hasAttachment: true })).toEqual([invoice]);
    expect(await ids({ words: ["quarterly"], unread: true })).toEqual([invoice]);
    expect(await ids({ words: ["quarterly"], before: new Date("2026-11-01T00:00:00Z") })).toEqual([seenNote]);
    expect(await ids({ words: ["quarterly"], after: new Date("2026-11-01T00:00:00Z") })).toEqual([invoice]);
    expect(
      (await listMailThreads(handle.db, { userId: otherUserId, search: { ...noSearch, words: ["quarterly"] } })).items,
    ).toEqual([]);
  });

  it("weights the subject above the body", async () => {
    const { rows } = await import("kysely").then(({ sql }) =>
      sql<{ subject: string; rank: number }>`
        select subject, ts_rank(search, plainto_tsquery('simple', 'lunch')) as rank
        from mail_messages where search @@ plainto_tsquery('simple', 'lunch') order by rank desc`.execute(handle.db),
    );
    expect(rows[0]?.subject).toBe("Lunch");
  });

  it("counts each folder's messages and unread ones, for its owner only", async () => {
    const folders = await listMailFoldersWithCounts(handle.db, userId, accountId);
    const inbox = folders.find((folder) => folder.id === inboxId);
    const stored = await handle.db
      .selectFrom("mail_messages")
      .select(["seen"])
      .where("folder_id", "=", inboxId)
      .execute();
    expect(inbox).toMatchObject({
      role: "inbox",
      total: stored.length,
      unread: stored.filter((message) => !message.seen).length,
    });
    expect(stored.length).toBeGreaterThan(0);
    expect(folders.find((folder) => folder.path === "Archive")).toMatchObject({ total: 0, unread: 0 });
    expect(await listMailFoldersWithCounts(handle.db, userId)).toEqual(folders);
    expect(await listMailFoldersWithCounts(handle.db, otherUserId)).toEqual([]);
    expect(await listMailFoldersWithCounts(handle.db, otherUserId, accountId)).toEqual([]);
  });

  it("pages by keyset with no thread twice or missed, and refuses a forged cursor", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page += 1) {
      const result = await listMailThreads(handle.db, { userId, limit: 2, cursor });
      seen.push(...result.items.map((thread) => thread.id));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    const all = await listMailThreads(handle.db, { userId, limit: 200 });
    expect(seen).toEqual(all.items.map((thread) => thread.id));
    expect(new Set(seen).size).toBe(seen.length);
    await expect(listMailThreads(handle.db, { userId, cursor: "not-a-cursor" })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it("applies flag changes and deletions, dropping emptied threads", async () => {
    const threadId = await store({ messageId: "flags@t", subject: "Flags" });
    const [message] = await listMailThreadMessages(handle.db, userId, threadId);
    if (!message) throw new Error("no message");
    expect(
      await setMailMessageFlags(
        handle.db,
        inboxId,
        message.uid,
        { seen: true, flagged: true, answered: false, draft: false },
        77n,
      ),
    ).toBe(threadId);
    await refreshMailThreads(handle.db, [threadId]);
    expect(
      await handle.db.selectFrom("mail_threads").selectAll().where("id", "=", threadId).executeTakeFirst(),
    ).toMatchObject({
      unread_count: 0,
      flagged_count: 1,
    });
    expect(await listMailMessageUids(handle.db, inboxId)).toContain(message.uid);
    expect(await deleteMailMessagesByUid(handle.db, inboxId, [message.uid])).toBe(1);
    expect(await listMailMessageUids(handle.db, inboxId)).not.toContain(message.uid);
    expect(
      await handle.db.selectFrom("mail_threads").select("id").where("id", "=", threadId).executeTakeFirst(),
    ).toBeUndefined();
  });

  it("clears a folder for a UIDVALIDITY rebuild, and removes everything with the account", async () => {
    await clearMailFolder(handle.db, inboxId);
    expect(await listMailMessageUids(handle.db, inboxId)).toEqual([]);
    expect((await listMailThreads(handle.db, { userId })).items).toEqual([]);
    await store({ messageId: "after-clear@t" });
    expect(await deleteMailAccount(handle.db, otherUserId, accountId)).toBe(false);
    expect(await deleteMailAccount(handle.db, userId, accountId)).toBe(true);
    for (const table of [
      "mail_folders",
      "mail_threads",
      "mail_thread_links",
      "mail_messages",
      "mail_attachments",
    ] as const) {
      const { count } = await handle.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .executeTakeFirstOrThrow();
      expect(Number(count), table).toBe(0);
    }
  });
});
