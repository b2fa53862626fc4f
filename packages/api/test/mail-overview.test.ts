import { createDatabase, type DatabaseHandle, migrateToLatest, saveAnalysis } from "@tidings/db";
import { createTestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InnerContext } from "../src/index.ts";
import { testInnerContext } from "./context.ts";
import { type MailBox, type MailUser, mailBox, mailUser, raw } from "./mail-fixtures.ts";

// mail.overview (the dashboard) through createCaller, on Postgres and on PGlite (embedded mode): its
// counts are the lengths of the inbox lists it links to, and "since your last visit" is kept per
// user on the server.

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

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
const mailDate = (date: Date) => date.toUTCString();

describe.each(engines)("mail.overview on %s", (_engine, open) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let inner: InnerContext;
  let alice: MailUser;
  let bob: MailUser;
  let work: MailBox;
  let home: MailBox;

  async function analyse(
    box: MailBox,
    messageId: string,
    marks: { priority: "high" | "normal" | "low"; needsReply: boolean },
  ) {
    await saveAnalysis(handle.db, {
      messageId,
      userId: box.userId,
      accountId: box.accountId,
      category: "work",
      summary: "test",
      reasons: ["test"],
      actionItems: [],
      provider: "local",
      model: "rules",
      ...marks,
    });
  }

  beforeAll(async () => {
    ({ handle, drop } = await open());
    inner = await testInnerContext(handle.db);
    alice = await mailUser(inner);
    bob = await mailUser(inner);
    work = await mailBox(handle.db, alice.id, "me@example.test");
    home = await mailBox(handle.db, alice.id, "me2@example.test");
    const bobBox = await mailBox(handle.db, bob.id, "bob@example.test");

    const old = mailDate(new Date("2026-11-01T09:00:00Z"));
    const deliver = (box: MailBox, folder: "INBOX" | "Archive", id: string, flags: string[] = []) =>
      box.deliver(folder, raw({ id, subject: id, date: old }), flags);
    // Inbox threads of both of Alice's accounts: the dashboard counts across accounts.
    const urgent = await deliver(work, "INBOX", "urgent@t");
    await analyse(work, urgent.messageId, { priority: "high", needsReply: true });
    const question = await deliver(home, "INBOX", "question@t", ["\\Seen"]);
    await analyse(home, question.messageId, { priority: "normal", needsReply: true });
    const alert = await deliver(work, "INBOX", "alert@t");
    await analyse(work, alert.messageId, { priority: "high", needsReply: false });
    await deliver(work, "INBOX", "unanalysed@t", ["\\Seen"]);
    // Not in an inbox: archived mail that needs a reply is not the inbox's to count.
    const archived = await deliver(work, "Archive", "archived@t");
    await analyse(work, archived.messageId, { priority: "high", needsReply: true });
    // Bob's mail never counts for Alice.
    const bobs = await deliver(bobBox, "INBOX", "bobs@t");
    await analyse(bobBox, bobs.messageId, { priority: "high", needsReply: true });
  }, 60_000);
  afterAll(() => drop?.());

  it("counts needs-reply, high-priority and unread inbox threads as the linked lists hold them", async () => {
    const { counts } = await alice.caller.mail.overview();
    expect(counts).toEqual({ needsReply: 2, highPriority: 2, unread: 2 });
    const inbox = (filter: Record<string, unknown>) =>
      alice.caller.mail.threads({ role: "inbox", filter }).then((page) => page.items.map((thread) => thread.subject));
    expect((await inbox({ needsReply: true })).sort()).toEqual(["question@t", "urgent@t"]);
    expect((await inbox({ priority: "high" })).sort()).toEqual(["alert@t", "urgent@t"]);
    expect((await inbox({ unread: true })).sort()).toEqual(["alert@t", "urgent@t"]);
    expect((await bob.caller.mail.overview()).counts).toEqual({ needsReply: 1, highPriority: 1, unread: 1 });
  });

  it("shows what arrived since the previous visit, the same on every refresh of one visit", async () => {
    const carol = await mailUser(inner);
    const box = await mailBox(handle.db, carol.id, "carol@example.test");
    await box.deliver("INBOX", raw({ id: "yesterday-early@t", subject: "Two days ago", date: mailDate(hoursAgo(48)) }));
    const morning = await box.deliver(
      "INBOX",
      raw({ id: "morning@t", subject: "This morning", from: "Ann <ann@example.test>", date: mailDate(hoursAgo(3)) }),
    );
    await analyse(box, morning.messageId, { priority: "high", needsReply: true });

    // First visit: no last visit yet, so the last day.
    const first = await carol.caller.mail.overview();
    expect(first.sinceLastVisit.lastVisitAt).toBeNull();
    expect(first.sinceLastVisit.items.map((item) => item.subject)).toEqual(["This morning"]);
    expect(first.sinceLastVisit.items[0]).toMatchObject({
      threadId: morning.threadId,
      accountId: box.accountId,
      from: { name: "Ann", email: "ann@example.test" },
      unread: true,
      ai: { priority: "high", needsReply: true },
    });
    // The dashboard refreshing itself within the visit keeps the same starting point.
    const again = await carol.caller.mail.overview();
    expect(again.sinceLastVisit.since).toEqual(first.sinceLastVisit.since);
    expect(again.sinceLastVisit.total).toBe(1);

    // Two hours later (the visit row aged, as time would), with new mail in between.
    const lastSeen = hoursAgo(2);
    await handle.db
      .updateTable("dashboard_visits")
      .set({ last_seen_at: lastSeen })
      .where("user_id", "=", carol.id)
      .execute();
    await box.deliver("INBOX", raw({ id: "new@t", subject: "While you were away", date: mailDate(hoursAgo(1)) }));
    await box.deliver("Sent", raw({ id: "mine@t", subject: "Sent by me", date: mailDate(hoursAgo(1)) }));
    const next = await carol.caller.mail.overview();
    expect(next.sinceLastVisit.lastVisitAt).toEqual(lastSeen);
    expect(next.sinceLastVisit.items.map((item) => item.subject)).toEqual(["While you were away"]);
    expect(next.sinceLastVisit.total).toBe(1);
    // Kept on the server, per user: another user's visits and mail are their own.
    expect((await alice.caller.mail.overview()).sinceLastVisit.items.map((item) => item.subject)).not.toContain(
      "While you were away",
    );
  });
});
