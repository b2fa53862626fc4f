import {
  createDatabase,
  type DatabaseHandle,
  insertMailMessagesBulk,
  insertMailThreadsBulk,
  migrateToLatest,
  refreshMailThreads,
  saveAnalysis,
} from "@tidings/db";
import { createTestDatabase } from "@tidings/db/testing";
import type { DeliveredMailEvent } from "@tidings/mail";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { AppError, appCodeForTrpcCode } from "../src/errors.ts";
import type { InnerContext } from "../src/index.ts";
import { testInnerContext } from "./context.ts";
import { type MailBox, type MailUser, mailBox, mailUser, raw } from "./mail-fixtures.ts";

// mail.folders / threads / thread / update through createCaller, on Postgres and on PGlite (the
// embedded mode's database runs the same search and keyset SQL).

const engines: Array<[string, () => Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }>]> = [
  ["Postgres", () => createTestDatabase()],
  [
    "PGlite",
    async () => {
      const handle = createDatabase({});
      await migrateToLatest(handle.db);
      return { handle, drop: () => handle.close() };
    },
  ],
];

/** The app code and the input fields named by a failed call. */
async function failure(call: Promise<unknown>): Promise<{ appCode: string; fields: string[] }> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  const appCode = error instanceof AppError ? error.appCode : appCodeForTrpcCode(error.code);
  const issues =
    error.cause instanceof ZodError
      ? error.cause.issues
      : error instanceof AppError
        ? ((error.extra.issues ?? []) as { path: string[] }[])
        : [];
  return { appCode, fields: issues.map((issue) => issue.path.join(".")) };
}

const unknownId = "00000000-0000-4000-8000-000000000000";
const subjects = (page: { items: { subject: string }[] }) => page.items.map((thread) => thread.subject);

describe.each(engines)("mail router on %s", (_engine, open) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let inner: InnerContext;
  let alice: MailUser;
  let bob: MailUser;
  let work: MailBox;
  let home: MailBox;
  let bobBox: MailBox;
  const ids: Record<string, { messageId: string; threadId: string }> = {};

  beforeAll(async () => {
    ({ handle, drop } = await open());
    inner = await testInnerContext(handle.db);
    alice = await mailUser(inner);
    bob = await mailUser(inner);
    work = await mailBox(handle.db, alice.id, "me@example.test");
    home = await mailBox(handle.db, alice.id, "me2@example.test");
    bobBox = await mailBox(handle.db, bob.id, "bob@example.test");

    ids.trip = await work.deliver(
      "INBOX",
      raw({
        id: "trip-1@t",
        subject: "Trip to Oslo",
        from: "Ann Example <ann@example.test>",
        date: "Tue, 01 Dec 2026 09:00:00 +0000",
        body: "Shall we take the night train to Oslo?",
      }),
    );
    ids.tripReply = await work.deliver(
      "Sent",
      raw({
        id: "trip-2@t",
        subject: "Re: Trip to Oslo",
        from: "Me <me@example.test>",
        to: "Ann Example <ann@example.test>",
        inReplyTo: "trip-1@t",
        date: "Tue, 01 Dec 2026 10:00:00 +0000",
        body: "Yes, the night train.",
      }),
      ["\\Seen"],
    );
    ids.invoice = await work.deliver(
      "INBOX",
      raw({
        id: "invoice@t",
        subject: "Invoice 42",
        from: "Shop Billing <billing@shop.test>",
        date: "Fri, 20 Nov 2026 08:00:00 +0000",
        attachment: { filename: "invoice.pdf", contentType: "application/pdf", content: "%PDF-1.4 fake" },
      }),
      ["\\Seen"],
    );
    ids.newsletter = await work.deliver(
      "INBOX",
      raw({
        id: "news@t",
        subject: "Weekly letter",
        from: "Letters <news@letters.test>",
        date: "Wed, 25 Nov 2026 08:00:00 +0000",
        body: "The quarterly results are in.",
        html: '<p>The quarterly results are in.</p><img src="https://track.test/pixel.gif?u=1" alt="">',
      }),
      ["\\Seen", "\\Flagged"],
    );
    ids.old = await work.deliver(
      "INBOX",
      raw({ id: "old@t", subject: "Old note", date: "Mon, 01 Jun 2026 10:00:00 +0000", body: "an exact phrase here" }),
      ["\\Seen"],
    );
    ids.home = await home.deliver(
      "INBOX",
      raw({
        id: "home@t",
        subject: "Hello from home",
        from: "Carol <carol@example.test>",
        to: "Me Two <me2@example.test>",
        date: "Wed, 02 Dec 2026 10:00:00 +0000",
      }),
    );
    ids.bob = await bobBox.deliver("INBOX", raw({ id: "bob@t", subject: "Bob's own mail" }));

    const analysis = { reasons: ["test"], actionItems: [], provider: "local", model: "rules" };
    await saveAnalysis(handle.db, {
      ...analysis,
      messageId: ids.trip.messageId,
      userId: alice.id,
      accountId: work.accountId,
      priority: "high",
      category: "personal",
      needsReply: true,
      summary: "Ann asks about the night train.",
    });
    await saveAnalysis(handle.db, {
      ...analysis,
      messageId: ids.newsletter.messageId,
      userId: alice.id,
      accountId: work.accountId,
      priority: "low",
      category: "newsletter",
      needsReply: false,
      summary: "Quarterly results.",
    });
  }, 60_000);
  afterAll(() => drop?.());

  describe("mail.folders", () => {
    it("lists the caller's folders of every account with unread and total counts", async () => {
      const folders = await alice.caller.mail.folders();
      expect(folders).toHaveLength(8);
      expect(folders.find((folder) => folder.id === work.folders.INBOX)).toEqual({
        id: work.folders.INBOX,
        accountId: work.accountId,
        name: "INBOX",
        path: "INBOX",
        role: "inbox",
        unread: 1,
        total: 4,
      });
      const homeOnly = await alice.caller.mail.folders({ accountId: home.accountId });
      expect(new Set(homeOnly.map((folder) => folder.accountId))).toEqual(new Set([home.accountId]));
    });

    it("answers NOT_FOUND for another user's account (S27)", async () => {
      expect(await failure(bob.caller.mail.folders({ accountId: work.accountId }))).toMatchObject({
        appCode: "NOT_FOUND",
      });
    });
  });

  describe("mail.threads", () => {
    it("lists every account newest first as ThreadSummary, ai null without an analysis", async () => {
      const page = await alice.caller.mail.threads();
      expect(subjects(page)).toEqual(["Hello from home", "Trip to Oslo", "Weekly letter", "Invoice 42", "Old note"]);
      expect(page.nextCursor).toBeNull();
      const trip = page.items[1];
      expect(trip).toEqual({
        id: ids.trip?.threadId,
        accountId: work.accountId,
        subject: "Trip to Oslo",
        snippet: "Yes, the night train.",
        participants: [
          { name: "Ann Example", email: "ann@example.test" },
          { name: "Me", email: "me@example.test" },
        ],
        messageCount: 2,
        unread: 1,
        starred: false,
        hasAttachments: false,
        lastMessageAt: new Date("2026-12-01T10:00:00Z"),
        folderIds: [work.folders.INBOX, work.folders.Sent].sort(),
        ai: {
          priority: "high",
          category: "personal",
          needsReply: true,
          summary: "Ann asks about the night train.",
          messageId: ids.trip?.messageId,
          reasons: ["test"],
        },
      });
      expect(page.items[0]?.ai).toBeNull();
    });

    it("narrows to an account, a folder, or a role across accounts (unified view)", async () => {
      expect(subjects(await alice.caller.mail.threads({ accountId: home.accountId }))).toEqual(["Hello from home"]);
      expect(subjects(await alice.caller.mail.threads({ folderId: work.folders.Sent }))).toEqual(["Trip to Oslo"]);
      expect(subjects(await alice.caller.mail.threads({ role: "sent" }))).toEqual(["Trip to Oslo"]);
      expect(subjects(await alice.caller.mail.threads({ role: "inbox" }))).toHaveLength(5);
      expect(subjects(await alice.caller.mail.threads({ role: "trash" }))).toEqual([]);
    });

    it("filters by unread, starred, attachments, and the analysis (needsReply, priority, category)", async () => {
      const filtered = async (filter: Record<string, unknown>) => subjects(await alice.caller.mail.threads({ filter }));
      expect(await filtered({ unread: true })).toEqual(["Hello from home", "Trip to Oslo"]);
      expect(await filtered({ unread: false })).toEqual(["Weekly letter", "Invoice 42", "Old note"]);
      expect(await filtered({ starred: true })).toEqual(["Weekly letter"]);
      expect(await filtered({ hasAttachments: true })).toEqual(["Invoice 42"]);
      expect(await filtered({ needsReply: true })).toEqual(["Trip to Oslo"]);
      // Threads not analysed yet do not need a reply as far as anyone knows.
      expect(await filtered({ needsReply: false })).toEqual([
        "Hello from home",
        "Weekly letter",
        "Invoice 42",
        "Old note",
      ]);
      expect(await filtered({ priority: "low" })).toEqual(["Weekly letter"]);
      expect(await filtered({ category: "personal" })).toEqual(["Trip to Oslo"]);
      expect(await filtered({ unread: true, needsReply: true })).toEqual(["Trip to Oslo"]);
    });

    it("sorts by priority: high, then normal and unanalysed, then low, newest first within each", async () => {
      expect(subjects(await alice.caller.mail.threads({ sort: "priority" }))).toEqual([
        "Trip to Oslo",
        "Hello from home",
        "Invoice 42",
        "Old note",
        "Weekly letter",
      ]);
    });

    it.each([
      ["oslo", ["Trip to Oslo"]],
      ['"quarterly results"', ["Weekly letter"]],
      ['"results quarterly"', []],
      ['"exact phrase"', ["Old note"]],
      ["from:ann", ["Trip to Oslo"]],
      ["from:shop.test", ["Invoice 42"]],
      ["to:me2@", ["Hello from home"]],
      ["subject:invoice", ["Invoice 42"]],
      ["has:attachment", ["Invoice 42"]],
      ["is:unread", ["Hello from home", "Trip to Oslo"]],
      ["before:2026-11-21", ["Invoice 42", "Old note"]],
      ["after:2026-12-01", ["Hello from home", "Trip to Oslo"]],
      ["after:2026/11/01 before:2026-11-30 from:letters", ["Weekly letter"]],
      ["night train subject:trip", ["Trip to Oslo"]],
    ])("searches %s", async (query, expected) => {
      expect(subjects(await alice.caller.mail.threads({ query }))).toEqual(expected);
    });

    it("answers only the threads named in threadIds that the rest of the input matches, in list order", async () => {
      const trip = ids.trip?.threadId ?? "";
      const all = await alice.caller.mail.threads();
      const invoice = all.items.find((thread) => thread.subject === "Invoice 42")?.id ?? "";
      const named = async (input: Record<string, unknown>) =>
        subjects(await alice.caller.mail.threads({ ...input, threadIds: [invoice, trip] }));
      expect(await named({})).toEqual(["Trip to Oslo", "Invoice 42"]);
      // One that left the filter (or was never in the folder) is simply not answered.
      expect(await named({ filter: { unread: true } })).toEqual(["Trip to Oslo"]);
      expect(await named({ folderId: work.folders.Sent })).toEqual(["Trip to Oslo"]);
      expect(await named({ query: "invoice" })).toEqual(["Invoice 42"]);
      expect(await named({ sort: "priority" })).toEqual(["Trip to Oslo", "Invoice 42"]);
      // Another user's thread id answers nothing.
      expect(subjects(await bob.caller.mail.threads({ threadIds: [trip] }))).toEqual([]);
      expect(await failure(alice.caller.mail.threads({ threadIds: ["nope"] }))).toEqual({
        appCode: "INVALID_INPUT",
        fields: ["threadIds.0"],
      });
      expect(await failure(alice.caller.mail.threads({ threadIds: [] }))).toEqual({
        appCode: "INVALID_INPUT",
        fields: ["threadIds"],
      });
    });

    it("never finds another user's mail by search", async () => {
      expect(subjects(await alice.caller.mail.threads({ query: "bob's" }))).toEqual([]);
      expect(subjects(await bob.caller.mail.threads({ query: "oslo" }))).toEqual([]);
    });

    it("refuses a bad query, cursor or limit naming the field", async () => {
      for (const query of ["before:yesterday", "has:kittens", "is:read", 'from:""', "before:2026-02-30"]) {
        expect(await failure(alice.caller.mail.threads({ query })), query).toEqual({
          appCode: "INVALID_INPUT",
          fields: ["query"],
        });
      }
      const forged = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString("base64url");
      for (const cursor of [
        "nope",
        forged(["d", "1", "x"]),
        // A time Postgres would refuse must be refused before it gets there.
        forged(["d", "-999999999999999999", unknownId]),
        forged(["d", "99999999999999999999", unknownId]),
        forged(["p", 7, "1", unknownId]),
      ]) {
        expect(await failure(alice.caller.mail.threads({ cursor })), cursor).toEqual({
          appCode: "INVALID_INPUT",
          fields: ["cursor"],
        });
      }
      expect(await failure(alice.caller.mail.threads({ limit: 101 }))).toEqual({
        appCode: "INVALID_INPUT",
        fields: ["limit"],
      });
    });

    it("answers NOT_FOUND for another user's account or folder (S27)", async () => {
      expect((await failure(bob.caller.mail.threads({ accountId: work.accountId }))).appCode).toBe("NOT_FOUND");
      expect((await failure(bob.caller.mail.threads({ folderId: work.folders.INBOX }))).appCode).toBe("NOT_FOUND");
      expect((await failure(alice.caller.mail.threads({ folderId: unknownId }))).appCode).toBe("NOT_FOUND");
    });
  });

  describe("keyset paging", () => {
    let pager: MailUser;
    beforeAll(async () => {
      pager = await mailUser(inner);
      const box = await mailBox(handle.db, pager.id, "pager@example.test");
      // 23 threads on 6 distinct times: ties on last_message_at must not lose or repeat a row.
      for (let index = 0; index < 23; index += 1) {
        const day = String(1 + (index % 6)).padStart(2, "0");
        const delivered = await box.deliver(
          "INBOX",
          raw({ id: `page-${index}@t`, subject: `Page ${index}`, date: `${day} Nov 2026 12:00:00 +0000` }),
        );
        if (index % 4 === 0) {
          await saveAnalysis(handle.db, {
            messageId: delivered.messageId,
            userId: pager.id,
            accountId: box.accountId,
            priority: index % 8 === 0 ? "high" : "low",
            category: "work",
            needsReply: false,
            summary: "",
            actionItems: [],
            reasons: [],
            provider: "local",
            model: "rules",
          });
        }
      }
    }, 60_000);

    it.each(["date", "priority"] as const)(
      "walks every thread once by %s, in the order of one big page",
      async (sort) => {
        const all = await pager.caller.mail.threads({ sort, limit: 100 });
        expect(all.items).toHaveLength(23);
        const walked: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 10; page += 1) {
          const result = await pager.caller.mail.threads({ sort, limit: 4, cursor });
          walked.push(...result.items.map((thread) => thread.id));
          if (!result.nextCursor) break;
          cursor = result.nextCursor;
        }
        expect(walked).toEqual(all.items.map((thread) => thread.id));
      },
    );

    it("refuses a cursor of the other sort order", async () => {
      const first = await pager.caller.mail.threads({ sort: "date", limit: 4 });
      expect(first.nextCursor).toBeTruthy();
      expect(await failure(pager.caller.mail.threads({ sort: "priority", cursor: first.nextCursor ?? "" }))).toEqual({
        appCode: "INVALID_INPUT",
        fields: ["cursor"],
      });
    });
  });

  describe("mail.thread", () => {
    it("answers the messages oldest first as Message, with their analysis", async () => {
      const thread = await alice.caller.mail.thread({ threadId: ids.trip?.threadId ?? "" });
      expect(thread.id).toBe(ids.trip?.threadId);
      expect(thread.subject).toBe("Trip to Oslo");
      expect(thread.messages.map((message) => message.messageId)).toEqual(["trip-1@t", "trip-2@t"]);
      const [first, reply] = thread.messages;
      expect(first).toMatchObject({
        id: ids.trip?.messageId,
        accountId: work.accountId,
        folderId: work.folders.INBOX,
        inReplyTo: null,
        from: { name: "Ann Example", email: "ann@example.test" },
        to: [{ name: "Me", email: "me@example.test" }],
        cc: [],
        replyTo: [],
        date: new Date("2026-12-01T09:00:00Z"),
        subject: "Trip to Oslo",
        html: null,
        hasRemoteContent: false,
        attachments: [],
        flags: { seen: false, flagged: false, answered: false, draft: false },
        ai: { priority: "high", category: "personal", needsReply: true, provider: "local", model: "rules" },
      });
      expect(first?.text?.trim()).toBe("Shall we take the night train to Oslo?");
      expect(reply).toMatchObject({ inReplyTo: "trip-1@t", folderId: work.folders.Sent, ai: null });
    });

    it("lists attachments with id, filename, type, size and inline", async () => {
      const thread = await alice.caller.mail.thread({ threadId: ids.invoice?.threadId ?? "" });
      expect(thread.messages[0]?.attachments).toEqual([
        { id: expect.any(String), filename: "invoice.pdf", contentType: "application/pdf", size: 13, inline: false },
      ]);
    });

    it("blocks remote images, and shows them with loadRemote (S26)", async () => {
      const threadId = ids.newsletter?.threadId ?? "";
      const blocked = (await alice.caller.mail.thread({ threadId })).messages[0];
      expect(blocked?.hasRemoteContent).toBe(true);
      expect(blocked?.html).toContain("quarterly results");
      expect(blocked?.html).not.toContain("track.test");
      const loaded = (await alice.caller.mail.thread({ threadId, loadRemote: true })).messages[0];
      expect(loaded?.html).toContain('src="https://track.test/pixel.gif?u=1"');
    });

    it("answers NOT_FOUND for another user's thread or an unknown one (S27)", async () => {
      expect((await failure(bob.caller.mail.thread({ threadId: ids.trip?.threadId ?? "" }))).appCode).toBe("NOT_FOUND");
      expect((await failure(alice.caller.mail.thread({ threadId: unknownId }))).appCode).toBe("NOT_FOUND");
      expect(await failure(alice.caller.mail.thread({ threadId: "not-a-uuid" }))).toEqual({
        appCode: "INVALID_INPUT",
        fields: ["threadId"],
      });
    });
  });

  describe("mail.update", () => {
    let carol: MailUser;
    let box: MailBox;
    let other: MailBox;
    const mail: Record<string, { messageId: string; threadId: string }> = {};
    const events: DeliveredMailEvent[] = [];

    const messageRows = (threadId: string) =>
      handle.db
        .selectFrom("mail_messages")
        .select(["id", "folder_id", "uid", "seen", "flagged"])
        .where("thread_id", "=", threadId)
        .orderBy("date")
        .execute();
    const threadRow = (threadId: string) =>
      handle.db.selectFrom("mail_threads").selectAll().where("id", "=", threadId).executeTakeFirstOrThrow();
    const outboxJobs = async () =>
      (
        await handle.db
          .selectFrom("outbox")
          .selectAll()
          .where("queue", "=", "mail")
          .orderBy("created_at")
          .orderBy("id")
          .execute()
      ).map((row) => ({ job: row.job_name, payload: row.payload as Record<string, unknown> }));

    beforeAll(async () => {
      carol = await mailUser(inner);
      box = await mailBox(handle.db, carol.id, "carol@example.test");
      other = await mailBox(handle.db, carol.id, "carol2@example.test");
      mail.first = await box.deliver(
        "INBOX",
        raw({ id: "u-1@t", subject: "Plans", date: "01 Dec 2026 09:00:00 +0000" }),
      );
      mail.second = await box.deliver(
        "INBOX",
        raw({ id: "u-2@t", subject: "Re: Plans", inReplyTo: "u-1@t", date: "01 Dec 2026 10:00:00 +0000" }),
        ["\\Seen"],
      );
      mail.lone = await box.deliver("INBOX", raw({ id: "u-3@t", subject: "Lone", date: "02 Dec 2026 09:00:00 +0000" }));
      mail.elsewhere = await other.deliver("INBOX", raw({ id: "u-4@t", subject: "Elsewhere" }));
      inner.mailEvents.subscribe(carol.id, (event) => events.push(event));
    });

    it("marks a thread read at once, recounts it, queues the IMAP job with the state before, and tells other tabs", async () => {
      const threadId = mail.first?.threadId ?? "";
      const before = await messageRows(threadId);
      expect(await carol.caller.mail.update({ threadIds: [threadId], seen: true })).toEqual({ updated: 2 });
      expect((await messageRows(threadId)).map((row) => row.seen)).toEqual([true, true]);
      expect((await threadRow(threadId)).unread_count).toBe(0);
      const jobs = await outboxJobs();
      expect(jobs.at(-1)).toEqual({
        job: "apply-action",
        payload: {
          userId: carol.id,
          accountId: box.accountId,
          change: { seen: true },
          before: before
            .map((row) => ({
              id: row.id,
              accountId: box.accountId,
              threadId,
              folderId: row.folder_id,
              uid: Number(row.uid),
              seen: row.seen,
              flagged: row.flagged,
            }))
            .sort((a, b) => a.id.localeCompare(b.id)),
        },
      });
      expect(events.at(-1)?.event).toEqual({ type: "thread.updated", accountId: box.accountId, threadId });
    });

    it("stars single messages", async () => {
      const messageId = mail.second?.messageId ?? "";
      expect(await carol.caller.mail.update({ messageIds: [messageId], flagged: true })).toEqual({ updated: 1 });
      expect((await threadRow(mail.second?.threadId ?? "")).flagged_count).toBe(1);
    });

    it("moves by role: the folder changes locally with a placeholder UID until the server assigns one", async () => {
      const threadId = mail.lone?.threadId ?? "";
      expect(await carol.caller.mail.update({ threadIds: [threadId], moveTo: { role: "archive" } })).toEqual({
        updated: 1,
      });
      const [row] = await messageRows(threadId);
      expect(row?.folder_id).toBe(box.folders.Archive);
      expect(Number(row?.uid)).toBeLessThan(1);
      const folders = await carol.caller.mail.folders({ accountId: box.accountId });
      expect(folders.find((folder) => folder.role === "archive")).toMatchObject({ total: 1, unread: 1 });
      const job = (await outboxJobs()).at(-1);
      expect(job?.payload.change).toEqual({ folderId: box.folders.Archive });
      const before = (job?.payload.before ?? []) as { folderId: string }[];
      expect(before[0]?.folderId).toBe(box.folders.INBOX);
    });

    it("moves across accounts by role, one job per account", async () => {
      const jobsBefore = (await outboxJobs()).length;
      const result = await carol.caller.mail.update({
        messageIds: [mail.second?.messageId ?? "", mail.elsewhere?.messageId ?? ""],
        moveTo: { role: "trash" },
      });
      expect(result).toEqual({ updated: 2 });
      const jobs = (await outboxJobs()).slice(jobsBefore);
      expect(jobs.map((job) => job.payload.accountId).sort()).toEqual([box.accountId, other.accountId].sort());
      expect((await messageRows(mail.elsewhere?.threadId ?? "")).map((row) => row.folder_id)).toEqual([
        other.folders.Trash,
      ]);
    });

    it("carries a long thread to the server in jobs of at most 1 000 messages", async () => {
      const [threadId = ""] = await insertMailThreadsBulk(handle.db, [
        { accountId: other.accountId, userId: carol.id },
      ]);
      await insertMailMessagesBulk(
        handle.db,
        Array.from({ length: 1_001 }, (_, index) => ({
          accountId: other.accountId,
          userId: carol.id,
          folderId: other.folders.Archive,
          threadId,
          uid: index + 1,
          messageId: `long-${index}@t`,
          inReplyTo: null,
          references: [],
          from: null,
          to: [],
          cc: [],
          replyTo: [],
          subject: "Long",
          date: new Date(Date.UTC(2026, 10, 1, 0, 0, index)),
          text: null,
          html: null,
          hasRemoteContent: false,
          flags: { seen: false, flagged: false, answered: false, draft: false },
          size: 1,
        })),
      );
      await refreshMailThreads(handle.db, [threadId]);
      const jobsBefore = (await outboxJobs()).length;
      expect(await carol.caller.mail.update({ threadIds: [threadId], seen: true })).toEqual({ updated: 1_001 });
      const jobs = (await outboxJobs()).slice(jobsBefore);
      expect(jobs.map((job) => (job.payload.before as unknown[]).length).sort()).toEqual([1, 1_000]);
      expect((await threadRow(threadId)).unread_count).toBe(0);
    });

    it("refuses a folder of another account of the messages, naming moveTo", async () => {
      expect(
        await failure(
          carol.caller.mail.update({
            threadIds: [mail.first?.threadId ?? ""],
            moveTo: { folderId: other.folders.Archive },
          }),
        ),
      ).toEqual({ appCode: "INVALID_INPUT", fields: ["moveTo"] });
    });

    it("answers NOT_FOUND when any id is not the caller's, and changes nothing (S27)", async () => {
      const threadId = mail.first?.threadId ?? "";
      const unreadBefore = await messageRows(threadId);
      const jobsBefore = (await outboxJobs()).length;
      const attempts = [
        () => carol.caller.mail.update({ threadIds: [threadId, ids.trip?.threadId ?? ""], seen: false }),
        () => carol.caller.mail.update({ threadIds: [threadId], messageIds: [ids.bob?.messageId ?? ""], seen: false }),
        () => carol.caller.mail.update({ messageIds: [unknownId], seen: false }),
        () => carol.caller.mail.update({ threadIds: [threadId], moveTo: { folderId: bobBox.folders.Trash } }),
        () => bob.caller.mail.update({ threadIds: [threadId], flagged: true }),
      ];
      for (const attempt of attempts) expect((await failure(attempt())).appCode).toBe("NOT_FOUND");
      expect(await messageRows(threadId)).toEqual(unreadBefore);
      expect(await outboxJobs()).toHaveLength(jobsBefore);
    });

    it("needs ids and a change, naming the field", async () => {
      expect(await failure(carol.caller.mail.update({ seen: true }))).toEqual({
        appCode: "INVALID_INPUT",
        fields: ["threadIds"],
      });
      expect(await failure(carol.caller.mail.update({ threadIds: [mail.first?.threadId ?? ""] }))).toEqual({
        appCode: "INVALID_INPUT",
        fields: ["seen"],
      });
      expect(
        await failure(carol.caller.mail.update({ threadIds: [unknownId], moveTo: { role: "nowhere" } as never })),
      ).toMatchObject({ appCode: "INVALID_INPUT" });
    });
  });
});
