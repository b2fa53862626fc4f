import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { createAiProcessor, createInProcessProducer, startOutboxRelay } from "@tidings/jobs";
import { createGuardedFetch, parseAllowedPrivateHosts } from "@tidings/mail";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InnerContext } from "../src/index.ts";
import { testInnerContext } from "./context.ts";
import { type MailBox, type MailUser, mailBox, mailUser, raw } from "./mail-fixtures.ts";

// Issue 18: the local model learns from behaviour (starred, replied, opened soon, archived or
// deleted unread), not only from ai.feedback. The actions go through createCaller on Postgres; the
// lessons they write to the outbox are relayed to the real `ai` processor, as the worker would.

let testDb: TestDatabase;
let inner: InnerContext;

beforeAll(async () => {
  testDb = await createTestDatabase();
  inner = await testInnerContext(testDb.handle.db, { MAIL_UNDO_SECONDS: "60" });
});
afterAll(async () => {
  await testDb?.drop();
});

/** Moves what the actions wrote to the outbox through the `ai` queue's processor, and waits for it. */
async function learnWhatWasQueued(): Promise<void> {
  const failures: unknown[] = [];
  const producer = createInProcessProducer(
    {
      ai: createAiProcessor({
        db: inner.db,
        config: inner.config.ai,
        encryptionKey: inner.auth.sessions.encryptionKey,
        fetch: createGuardedFetch(parseAllowedPrivateHosts([])),
        events: inner.mailEvents,
        concurrency: 4,
      }),
      email: async () => undefined,
      mail: async () => undefined,
      "mail-send": async () => undefined,
      maintenance: async () => undefined,
    },
    (error) => failures.push(error),
  );
  const relay = startOutboxRelay({ db: inner.db, producer, idleMs: 10_000 });
  while ((await relay.drain()) > 0) {}
  await relay.close();
  await producer.close();
  expect(failures).toEqual([]);
}

async function lessonsOf(userId: string): Promise<Record<string, number>> {
  const rows = await inner.db
    .selectFrom("ai_feedback")
    .select(["source", ({ fn }) => fn.countAll<string>().as("count")])
    .where("user_id", "=", userId)
    .groupBy("source")
    .execute();
  return Object.fromEntries(rows.map((row) => [row.source, Number(row.count)]));
}

let counter = 0;
const nextId = () => `learn${++counter}-${Date.now()}@example.test`;

// Two senders the rules alone rank alike (a direct message without a question: normal).
const fromPartner = (i: number, date?: string) =>
  raw({
    id: nextId(),
    from: "Priya Raman <priya@northwind-partners.example>",
    subject: `Notes from Tuesday ${i}`,
    body: "Sharing the notes from our call. The numbers are in the sheet.",
    date,
  });
const fromVendor = (i: number) =>
  raw({
    id: nextId(),
    from: "Acme Digest <digest@acme-updates.example>",
    subject: `Product updates ${i}`,
    body: "Here is what changed in our product this week: new dashboards and faster exports.",
  });

describe("the local model learns from what the user does", () => {
  let user: MailUser;
  let box: MailBox;
  const starred: string[] = [];

  beforeAll(async () => {
    user = await mailUser(inner);
    box = await mailBox(inner.db, user.id);
  });

  it("starring and replying raise a sender's new mail; archiving or deleting it unread lowers it", async () => {
    const before = await Promise.all(
      [fromPartner(0), fromVendor(0)].map(async (message) => {
        const { messageId } = await box.deliver("INBOX", message);
        return (await user.caller.ai.analysis({ messageId })).priority;
      }),
    );
    expect(before).toEqual(["normal", "normal"]);

    for (let i = 1; i <= 6; i++) {
      const { messageId } = await box.deliver("INBOX", fromPartner(i));
      starred.push(messageId);
      await user.caller.mail.update({ messageIds: [messageId], flagged: true });
      if (i <= 3) {
        await user.caller.mail.send({
          accountId: box.accountId,
          to: ["priya@northwind-partners.example"],
          subject: "Re: notes",
          text: "Thanks, looks right.",
          inReplyTo: messageId,
        });
      }
    }
    for (let i = 1; i <= 6; i++) {
      const { messageId } = await box.deliver("INBOX", fromVendor(i));
      await user.caller.mail.update({ messageIds: [messageId], moveTo: { role: i % 2 ? "archive" : "trash" } });
    }
    await learnWhatWasQueued();
    expect(await lessonsOf(user.id)).toEqual({
      "behaviour:starred": 6,
      "behaviour:replied": 3,
      "behaviour:archivedUnread": 3,
      "behaviour:deletedUnread": 3,
    });

    const partner = await box.deliver("INBOX", fromPartner(7));
    const vendor = await box.deliver("INBOX", fromVendor(7));
    const partnerAnalysis = await user.caller.ai.analysis({ messageId: partner.messageId });
    const vendorAnalysis = await user.caller.ai.analysis({ messageId: vendor.messageId });
    expect(partnerAnalysis.priority).toBe("high");
    expect(vendorAnalysis.priority).toBe("low");
    expect(partnerAnalysis.reasons).toContain("you treated similar mail as high priority");
  }, 60_000);

  it("learns an action once per message, and nothing from the user's own mail", async () => {
    const again = starred[0] as string;
    await user.caller.mail.update({ messageIds: [again], flagged: false });
    await user.caller.mail.update({ messageIds: [again], flagged: true });
    const own = await box.deliver(
      "INBOX",
      raw({ id: nextId(), from: "Me <me@example.test>", to: "Priya <priya@northwind-partners.example>", subject: "x" }),
    );
    await user.caller.mail.update({ messageIds: [own.messageId], flagged: true });
    await learnWhatWasQueued();
    expect((await lessonsOf(user.id))["behaviour:starred"]).toBe(6);
  });

  it("counts a message opened soon after it arrived, not one opened days later", async () => {
    const fresh = await box.deliver("INBOX", fromPartner(8, new Date().toUTCString()));
    const old = await box.deliver("INBOX", fromPartner(9, "Mon, 30 Nov 2026 08:00:00 +0000"));
    await user.caller.mail.update({ messageIds: [fresh.messageId, old.messageId], seen: true });
    await learnWhatWasQueued();
    const opened = await inner.db
      .selectFrom("ai_feedback")
      .select("message_id")
      .where("user_id", "=", user.id)
      .where("source", "=", "behaviour:openedSoon")
      .execute();
    expect(opened.map((row) => row.message_id)).toEqual([fresh.messageId]);
  });
});
