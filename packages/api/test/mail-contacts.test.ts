import { insertMailOutgoing, type Kysely, markMailOutgoingDelivered, migrations } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { newMessageId } from "@tidings/mail";
import { TRPCError } from "@trpc/server";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { AppError, appCodeForTrpcCode } from "../src/errors.ts";
import { testInnerContext } from "./context.ts";
import { type MailBox, type MailUser, mailBox, mailUser, raw } from "./mail-fixtures.ts";

// mail.contacts (the composer's address autocomplete) and the search box's recent searches
// (mail.recordSearch, mail.recentSearches, mail.forgetSearch), on a real database, through the
// sync's own storing code and the sender's "delivered" step.

async function failure(call: Promise<unknown>): Promise<{ appCode: string; fields: string[] }> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  const appCode = error instanceof AppError ? error.appCode : appCodeForTrpcCode(error.code);
  const fields = error.cause instanceof ZodError ? error.cause.issues.map((issue) => issue.path.join(".")) : [];
  return { appCode, fields };
}

const day = (n: number) => `${["Tue", "Wed", "Thu", "Fri", "Sat"][n - 1]}, 0${n} Dec 2026 10:00:00 +0000`;

describe("mail.contacts: the user's correspondents for address autocomplete", () => {
  let testDb: TestDatabase;
  let alice: MailUser;
  let bob: MailUser;
  let box: MailBox;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const db = testDb.handle.db;
    const inner = await testInnerContext(db);
    [alice, bob] = [await mailUser(inner), await mailUser(inner)];
    box = await mailBox(db, alice.id, "me@example.test");
    const second = await mailBox(db, alice.id, "Me.Too@example.test");
    const bobBox = await mailBox(db, bob.id, "bob@example.test");
    let n = 0;
    const from = (sender: string, date: string) => raw({ id: `m${++n}@t`, subject: `Mail ${n}`, from: sender, date });

    // Ann wrote three times, under an older name first; one of them is also in Archive (one message).
    await box.deliver("INBOX", from("Ann A. <ANN@a.test>", day(1)));
    await box.deliver("INBOX", from("Ann Archer <ann@a.test>", day(2)));
    await box.deliver("INBOX", from("Ann Archer <ann@a.test>", day(3)));
    await box.deliver(
      "Archive",
      raw({ id: `m${n}@t`, subject: "Mail", from: "Ann Archer <ann@a.test>", date: day(3) }),
    );
    // Alice wrote to Anna once (filed in Sent); Anna never wrote back.
    await box.deliver(
      "Sent",
      raw({ id: "sent-1@t", subject: "Hi", from: "Me <me@example.test>", to: "Anna Sent <anna@s.test>", date: day(1) }),
    );
    // Two who wrote once: Andy earlier, Anders later.
    await box.deliver("INBOX", from("Andy Old <andy@o.test>", day(1)));
    await box.deliver("INBOX", from("Anders New <anders@n.test>", day(4)));
    // Alice's other account wrote to this one: her own addresses are never suggested.
    await box.deliver("INBOX", from("Me Too <me.too@example.test>", day(2)));
    await second.deliver("INBOX", from("Me <me@example.test>", day(2)));
    await box.deliver("INBOX", from(`"Mary O'Brien-Ops" <mary@ops.test>`, day(2)));
    // Bob's correspondent.
    await bobBox.deliver("INBOX", from("Annabel Bob <annabel@b.test>", day(2)));
  }, 60_000);
  afterAll(() => testDb?.drop());

  const suggest = async (user: MailUser, query: string, limit?: number) =>
    (await user.caller.mail.contacts({ query, ...(limit ? { limit } : {}) })).map((contact) => contact.email);

  it("ranks people the user wrote to first, then by messages exchanged, then the most recent", async () => {
    expect(await suggest(alice, "an")).toEqual(["anna@s.test", "ann@a.test", "anders@n.test", "andy@o.test"]);
    expect(await suggest(alice, "an", 2)).toEqual(["anna@s.test", "ann@a.test"]);
  });

  it("lists an address once, with its most recent name, and counts a message filed twice once", async () => {
    const [ann] = await alice.caller.mail.contacts({ query: "ann@" });
    expect(ann).toMatchObject({ email: "ann@a.test", name: "Ann Archer", sent: 0, received: 3 });
    expect(ann?.lastAt).toEqual(new Date("2026-12-03T10:00:00Z"));
  });

  it("matches the start of the address or of a word of the name, nothing in between", async () => {
    expect(await suggest(alice, "Arch")).toEqual(["ann@a.test"]);
    expect(await suggest(alice, "ann archer")).toEqual(["ann@a.test"]);
    // A word starts after punctuation too.
    expect(await suggest(alice, "brien")).toEqual(["mary@ops.test"]);
    expect(await suggest(alice, "ops")).toEqual(["mary@ops.test"]);
    expect(await suggest(alice, "rcher")).toEqual([]);
    expect(await suggest(alice, "a.test")).toEqual([]);
    // LIKE's and regular expressions' special characters are taken as typed.
    expect(await suggest(alice, "%")).toEqual([]);
    expect(await suggest(alice, "_")).toEqual([]);
    expect(await suggest(alice, "o'b")).toEqual(["mary@ops.test"]);
    expect(await suggest(alice, ".")).toEqual([]);
  });

  it("never suggests the user's own account addresses", async () => {
    expect(await suggest(alice, "me")).toEqual([]);
    expect(await suggest(alice, "me.too@")).toEqual([]);
  });

  it("never shows another user's correspondents (S27)", async () => {
    expect(await suggest(alice, "annab")).toEqual([]);
    expect(await suggest(bob, "an")).toEqual(["annabel@b.test"]);
  });

  it("counts a message sent from here once: its recipients (bcc too) when SMTP takes it, not its synced Sent copy", async () => {
    const db = testDb.handle.db;
    const outgoing = await insertMailOutgoing(db, {
      userId: alice.id,
      accountId: box.accountId,
      draftId: null,
      sendAt: new Date(),
      messageId: newMessageId("me@example.test"),
      from: { name: "Me", email: "me@example.test" },
      to: [{ name: "Zed Zimmer", email: "Zed@z.test" }],
      cc: [],
      bcc: [{ name: "", email: "zoe@z.test" }],
      subject: "Hello",
      text: "Hello",
      html: null,
      inReplyTo: null,
      references: [],
      replyToMessageId: null,
      attachmentIds: [],
    });
    expect(await suggest(alice, "z")).toEqual([]);
    await markMailOutgoingDelivered(db, outgoing.id);
    await markMailOutgoingDelivered(db, outgoing.id);
    await box.deliver(
      "Sent",
      raw({ id: outgoing.message_id, subject: "Hello", from: "Me <me@example.test>", to: "Zed Zimmer <zed@z.test>" }),
    );
    const found = await alice.caller.mail.contacts({ query: "z" });
    expect(found.map(({ email, name, sent }) => ({ email, name, sent }))).toEqual([
      { email: "zed@z.test", name: "Zed Zimmer", sent: 1 },
      { email: "zoe@z.test", name: "", sent: 1 },
    ]);
  });

  it("the migration counts the mail stored before it the same way", async () => {
    const before = await alice.caller.mail.contacts({ query: "an" });
    const migration = migrations["2026-12-05T0610-mail-contacts"];
    const db = testDb.handle.db as unknown as Kysely<unknown>;
    await migration?.down?.(db);
    await migration?.up(db);
    expect(await alice.caller.mail.contacts({ query: "an" })).toEqual(before);
  });

  it("refuses a query that is empty or too long and a limit out of range, naming the field", async () => {
    for (const input of [{ query: "" }, { query: "  " }, { query: "a".repeat(321) }]) {
      expect(await failure(alice.caller.mail.contacts(input))).toEqual({ appCode: "INVALID_INPUT", fields: ["query"] });
    }
    for (const limit of [0, 21, 1.5]) {
      expect(await failure(alice.caller.mail.contacts({ query: "a", limit }))).toEqual({
        appCode: "INVALID_INPUT",
        fields: ["limit"],
      });
    }
  });
});

describe("recent searches", () => {
  let testDb: TestDatabase;
  let alice: MailUser;
  let bob: MailUser;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const inner = await testInnerContext(testDb.handle.db);
    [alice, bob] = [await mailUser(inner), await mailUser(inner)];
  });
  afterAll(() => testDb?.drop());

  const recent = async (user: MailUser) => (await user.caller.mail.recentSearches()).map((entry) => entry.query);

  it("keeps the newest 8, newest first, each once (runs of spaces are one)", async () => {
    for (let n = 1; n <= 10; n++) await alice.caller.mail.recordSearch({ query: `search ${n}` });
    expect(await recent(alice)).toEqual([10, 9, 8, 7, 6, 5, 4, 3].map((n) => `search ${n}`));
    await alice.caller.mail.recordSearch({ query: "  search   5 " });
    expect(await recent(alice)).toEqual([5, 10, 9, 8, 7, 6, 4, 3].map((n) => `search ${n}`));
  });

  it("are the user's own (S27)", async () => {
    expect(await recent(bob)).toEqual([]);
    await bob.caller.mail.recordSearch({ query: "from:carol" });
    expect(await recent(bob)).toEqual(["from:carol"]);
    expect(await recent(alice)).not.toContain("from:carol");
    // Forgetting a search someone else made does nothing to theirs.
    expect(await alice.caller.mail.forgetSearch({ query: "from:carol" })).toEqual({ removed: 0 });
    expect(await recent(bob)).toEqual(["from:carol"]);
  });

  it("forgets one, then all", async () => {
    expect(await alice.caller.mail.forgetSearch({ query: "search 9" })).toEqual({ removed: 1 });
    expect(await recent(alice)).toEqual([5, 10, 8, 7, 6, 4, 3].map((n) => `search ${n}`));
    expect(await alice.caller.mail.forgetSearch({})).toEqual({ removed: 7 });
    expect(await recent(alice)).toEqual([]);
    expect(await recent(bob)).toEqual(["from:carol"]);
  });

  it("refuses an empty or oversized search, naming the field", async () => {
    for (const query of ["", "   ", "x".repeat(1001), "a\u0000b"]) {
      expect(await failure(alice.caller.mail.recordSearch({ query }))).toEqual({
        appCode: "INVALID_INPUT",
        fields: ["query"],
      });
    }
    expect(await failure(alice.caller.mail.forgetSearch({ query: "" }))).toEqual({
      appCode: "INVALID_INPUT",
      fields: ["query"],
    });
  });

  it("go with the account", async () => {
    await testDb.handle.db.deleteFrom("users").where("id", "=", bob.id).execute();
    const left = await testDb.handle.db
      .selectFrom("mail_recent_searches")
      .select("query")
      .where("user_id", "=", bob.id)
      .execute();
    expect(left).toEqual([]);
  });
});
