import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { AppError, appCodeForTrpcCode } from "../src/errors.ts";
import { testInnerContext } from "./context.ts";
import { type MailBox, type MailUser, mailBox, mailUser, raw } from "./mail-fixtures.ts";

// S26's "for that message or sender": mail.thread's loadRemoteFor shows one message's remote
// images and no other's, and mail.remoteContentSender makes a sender's mail load them every time,
// for that user only.

async function failure(call: Promise<unknown>): Promise<{ appCode: string; fields: string[] }> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  const appCode = error instanceof AppError ? error.appCode : appCodeForTrpcCode(error.code);
  const fields =
    error.cause instanceof ZodError
      ? error.cause.issues.map((issue) => issue.path.join("."))
      : error instanceof AppError && typeof error.extra.field === "string"
        ? [error.extra.field]
        : [];
  return { appCode, fields };
}

const pixel = (n: number) => `<p>Issue ${n}</p><img src="https://track.test/pixel-${n}.gif" alt="">`;

describe("remote content per message and per sender (S26)", () => {
  let testDb: TestDatabase;
  let alice: MailUser;
  let bob: MailUser;
  let box: MailBox;
  let bobBox: MailBox;
  let threadId = "";
  let first = "";
  let second = "";
  let bobThread = "";

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const inner = await testInnerContext(testDb.handle.db);
    [alice, bob] = [await mailUser(inner), await mailUser(inner)];
    box = await mailBox(testDb.handle.db, alice.id);
    bobBox = await mailBox(testDb.handle.db, bob.id, "bob@example.test");
    const one = await box.deliver(
      "INBOX",
      raw({ id: "letter-1@t", subject: "Letter", from: "Letters <News@Letters.test>", html: pixel(1) }),
    );
    const two = await box.deliver(
      "INBOX",
      raw({
        id: "letter-2@t",
        subject: "Re: Letter",
        from: "Letters <news@letters.test>",
        inReplyTo: "letter-1@t",
        date: "Fri, 04 Dec 2026 10:00:00 +0000",
        html: pixel(2),
      }),
    );
    threadId = one.threadId;
    first = one.messageId;
    second = two.messageId;
    expect(two.threadId).toBe(threadId);
    bobThread = (
      await bobBox.deliver(
        "INBOX",
        raw({ id: "bob-letter@t", subject: "Letter", from: "news@letters.test", html: pixel(3) }),
      )
    ).threadId;
  }, 60_000);
  afterAll(() => testDb?.drop());

  const shown = async (user: MailUser, thread: string, loadRemoteFor?: string[]) =>
    (await user.caller.mail.thread({ threadId: thread, ...(loadRemoteFor ? { loadRemoteFor } : {}) })).messages.map(
      (message) => ({
        remote: message.html?.includes("https://track.test/") ?? false,
        shown: message.remoteContentShown,
        always: message.remoteContentAlways,
      }),
    );

  it("loads one message's remote images with loadRemoteFor, and no other message's", async () => {
    expect(await shown(alice, threadId)).toEqual([
      { remote: false, shown: false, always: false },
      { remote: false, shown: false, always: false },
    ]);
    expect(await shown(alice, threadId, [second])).toEqual([
      { remote: false, shown: false, always: false },
      { remote: true, shown: true, always: false },
    ]);
  });

  it("loads a sender's remote images every time once the user says always, until they take it back", async () => {
    expect(await alice.caller.mail.remoteContentSender({ sender: " NEWS@letters.test ", always: true })).toEqual({
      sender: "news@letters.test",
      always: true,
    });
    // Both messages, whatever the case of the From address.
    expect(await shown(alice, threadId)).toEqual([
      { remote: true, shown: true, always: true },
      { remote: true, shown: true, always: true },
    ]);
    // Saying it twice is fine.
    await alice.caller.mail.remoteContentSender({ sender: "news@letters.test", always: true });
    // Another user's choice is their own.
    expect(await shown(bob, bobThread)).toEqual([{ remote: false, shown: false, always: false }]);

    await alice.caller.mail.remoteContentSender({ sender: "news@letters.test", always: false });
    expect(await shown(alice, threadId)).toEqual([
      { remote: false, shown: false, always: false },
      { remote: false, shown: false, always: false },
    ]);
  });

  it("refuses a message of another thread or user in loadRemoteFor (S27) and a sender that is not an address", async () => {
    const bobsMessage = (await bob.caller.mail.thread({ threadId: bobThread })).messages[0]?.id ?? "";
    expect(await failure(alice.caller.mail.thread({ threadId, loadRemoteFor: [first, bobsMessage] }))).toEqual({
      appCode: "NOT_FOUND",
      fields: ["loadRemoteFor"],
    });
    expect(await failure(alice.caller.mail.thread({ threadId, loadRemoteFor: ["nope"] }))).toEqual({
      appCode: "INVALID_INPUT",
      fields: ["loadRemoteFor.0"],
    });
    expect(await failure(alice.caller.mail.remoteContentSender({ sender: "not an address", always: true }))).toEqual({
      appCode: "INVALID_INPUT",
      fields: ["sender"],
    });
  });
});
