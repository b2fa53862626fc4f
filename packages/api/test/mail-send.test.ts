import { randomBytes } from "node:crypto";
import { createSession, signAccessToken } from "@tidings/auth";
import { insertMailUpload, insertUserIfAbsent, markEmailVerified } from "@tidings/db";
import { createMailFixture, createTestDatabase, type MailFixture, type TestDatabase } from "@tidings/db/testing";
import type { JobProducer } from "@tidings/jobs";
import { verifyAttachmentToken } from "@tidings/mail";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, appCodeForTrpcCode } from "../src/errors.ts";
import { appRouter, createCallerFactory, createContext, type InnerContext, plainRequest } from "../src/index.ts";
import { testInnerContext } from "./context.ts";

// The rules of mail.send, mail.cancelSend, mail.saveDraft and mail.attachmentUrl, called in process
// on a real database. Delivery itself is tested in @tidings/mail and over HTTP.

let testDb: TestDatabase;
const createCaller = createCallerFactory(appRouter);
const enqueued: Array<{ queue: string; name: string; data: unknown; jobId?: string; delayMs?: number }> = [];

/** Records what the procedures queue, so the delay and job ids can be checked. */
const recordingJobs: JobProducer = {
  async enqueue(queue, name, data, options = {}) {
    enqueued.push({ queue, name, data, ...options });
    return options.jobId ?? "";
  },
  async enqueueMany() {},
  async close() {},
};

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.drop());

interface Person {
  id: string;
  caller: ReturnType<typeof createCaller>;
  mail: MailFixture;
}

async function contextWith(env: Record<string, string> = {}): Promise<InnerContext> {
  return { ...(await testInnerContext(testDb.handle.db, env)), jobs: recordingJobs };
}

/** A verified (or not) account with a mail account of its own and a signed-in caller. */
async function person(inner: InnerContext, options: { verified?: boolean } = {}): Promise<Person> {
  const { db } = testDb.handle;
  const email = `s${randomBytes(5).toString("hex")}@example.test`;
  const user = await insertUserIfAbsent(db, { email, emailNormalized: email, displayName: null, passwordHash: "x" });
  if (!user) throw new Error("exists");
  if (options.verified !== false) await markEmailVerified(db, user.id, false);
  const origin = { ip: "127.0.0.1", userAgent: "mail-send" };
  const { session } = await createSession(db, { userId: user.id, origin, method: "password" }, inner.auth.sessions);
  const access = await signAccessToken(
    inner.auth.keyRing,
    { userId: user.id, sessionId: session.id },
    inner.auth.tokens,
  );
  const caller = createCaller(createContext(inner, plainRequest({ accessToken: access.token })));
  return { id: user.id, caller, mail: await createMailFixture(db, user.id) };
}

async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  const appCode = error instanceof AppError ? error.appCode : appCodeForTrpcCode(error.code);
  const issues =
    error.cause && "issues" in error.cause ? (error.cause as { issues: { path: unknown[] }[] }).issues : [];
  return { appCode, message: error.message, paths: issues.map((issue) => issue.path.join(".")) };
}

const outgoingOf = (userId: string) =>
  testDb.handle.db.selectFrom("mail_outgoing").selectAll().where("user_id", "=", userId).execute();

/** A message in the person's inbox with threading headers, as sync would have stored it. */
async function parentMessage(who: Person) {
  const { messageId } = await who.mail.newMessage();
  await testDb.handle.db
    .updateTable("mail_messages")
    .set({
      message_id: "parent@example.test",
      references: ["root@example.test"],
      subject: "Trip",
      from_name: "Bob",
      from_email: "bob@example.test",
      text_body: "Shall we go?",
    })
    .where("id", "=", messageId)
    .execute();
  return messageId;
}

describe("mail.send", () => {
  it("queues the message from the caller's account, delayed by the undo window", async () => {
    const inner = await contextWith({ MAIL_UNDO_SECONDS: "10" });
    const ada = await person(inner);
    const before = Date.now();
    const answer = await ada.caller.mail.send({
      accountId: ada.mail.accountId,
      to: ["bob@example.test", { name: "Carol", email: "carol@example.test" }],
      subject: "Hello",
      text: "Hi",
    });
    expect(answer.status).toBe("queued");
    expect(answer.sendAt.getTime()).toBeGreaterThanOrEqual(before + 10_000);
    expect(answer.sendAt.getTime()).toBeLessThanOrEqual(Date.now() + 10_000);
    const [row] = await outgoingOf(ada.id);
    expect(row).toMatchObject({
      id: answer.outgoingId,
      status: "queued",
      from_email: `fixture-${ada.id.slice(0, 8)}@tidings.test`,
      to: [
        { name: "", email: "bob@example.test" },
        { name: "Carol", email: "carol@example.test" },
      ],
      subject: "Hello",
    });
    expect(row?.message_id).toMatch(/^[0-9a-f-]{36}@tidings\.test$/);
    const job = enqueued.find((entry) => entry.jobId === answer.outgoingId);
    expect(job).toMatchObject({ queue: "mail-send", name: "send", data: { outgoingId: answer.outgoingId } });
    expect(job?.delayMs).toBeGreaterThan(9_000);
    expect(job?.delayMs).toBeLessThanOrEqual(10_000);
  });

  it("answers NOT_FOUND for another user's account, message, draft or upload, and queues nothing (S27, S29)", async () => {
    const inner = await contextWith();
    const ada = await person(inner);
    const eve = await person(inner);
    const adaMessage = await parentMessage(ada);
    const adaUpload = await insertMailUpload(testDb.handle.db, {
      userId: ada.id,
      filename: "a.txt",
      contentType: "text/plain",
      content: Buffer.from("a"),
    });
    const { draftId } = await ada.caller.mail.saveDraft({ accountId: ada.mail.accountId, to: [], text: "draft" });
    const own = { accountId: eve.mail.accountId, to: ["bob@example.test"], text: "x" };
    const attempts: Array<() => Promise<unknown>> = [
      () => eve.caller.mail.send({ ...own, accountId: ada.mail.accountId }),
      () => eve.caller.mail.send({ ...own, accountId: "00000000-0000-4000-8000-000000000000" }),
      () => eve.caller.mail.send({ ...own, inReplyTo: adaMessage }),
      () => eve.caller.mail.send({ ...own, forwardOf: adaMessage }),
      () => eve.caller.mail.send({ ...own, draftId }),
      () => eve.caller.mail.send({ ...own, attachmentIds: [adaUpload.id] }),
      () => eve.caller.mail.saveDraft({ ...own, draftId }),
      () => eve.caller.mail.saveDraft({ ...own, accountId: ada.mail.accountId }),
    ];
    for (const attempt of attempts) expect((await failure(attempt())).appCode).toBe("NOT_FOUND");
    expect(await outgoingOf(eve.id)).toEqual([]);
  });

  it("makes a reply: Re: subject, the parent quoted, In-Reply-To and References from the parent", async () => {
    const inner = await contextWith();
    const ada = await person(inner);
    const parent = await parentMessage(ada);
    const { outgoingId } = await ada.caller.mail.send({
      accountId: ada.mail.accountId,
      to: ["bob@example.test"],
      text: "Yes!",
      inReplyTo: parent,
    });
    const [row] = await outgoingOf(ada.id);
    expect(row).toMatchObject({
      id: outgoingId,
      subject: "Re: Trip",
      in_reply_to: "parent@example.test",
      references: ["root@example.test", "parent@example.test"],
      reply_to_message_id: parent,
    });
    expect(row?.text_body).toMatch(/^Yes!\n\nOn .* Bob <bob@example.test> wrote:\n> Shall we go\?\n$/);
  });

  it("makes a forward: Fwd: subject and the original below, without threading headers", async () => {
    const inner = await contextWith();
    const ada = await person(inner);
    const parent = await parentMessage(ada);
    await ada.caller.mail.send({
      accountId: ada.mail.accountId,
      to: ["carol@example.test"],
      text: "FYI",
      forwardOf: parent,
    });
    const [row] = await outgoingOf(ada.id);
    expect(row).toMatchObject({
      subject: "Fwd: Trip",
      in_reply_to: null,
      references: [],
      reply_to_message_id: null,
      forward_of_message_id: parent,
    });
    expect(row?.text_body).toContain("---------- Forwarded message ----------");
  });

  it("refuses CR or LF in a header field as INVALID_INPUT naming the field (S29)", async () => {
    const inner = await contextWith();
    const ada = await person(inner);
    const base = { accountId: ada.mail.accountId, to: ["bob@example.test"], text: "x" };
    const cases: Array<[string, Parameters<typeof ada.caller.mail.send>[0]]> = [
      ["subject", { ...base, subject: "Hi\r\nBcc: victim@example.test" }],
      ["subject", { ...base, subject: "Hi\n" }],
      ["to.0.name", { ...base, to: [{ name: "Bob\r\nX-Evil: 1", email: "bob@example.test" }] }],
      ["cc.0", { ...base, cc: ["carol@example.test\r\nBcc: victim@example.test"] }],
      ["bcc.0.email", { ...base, bcc: [{ name: "", email: "d@example.test\nX: 1" }] }],
    ];
    for (const [field, input] of cases) {
      const refused = await failure(ada.caller.mail.send(input));
      expect(refused.appCode, field).toBe("INVALID_INPUT");
      expect(
        refused.paths.some((path) => path.startsWith(field)),
        `${field}: ${refused.paths}`,
      ).toBe(true);
    }
    expect((await failure(ada.caller.mail.saveDraft({ ...base, subject: "a\rb" }))).paths).toEqual(["subject"]);
    expect(await outgoingOf(ada.id)).toEqual([]);
  });

  it("sends a scheduled message at its sendAt, never inside the undo window, and at most a year ahead", async () => {
    const inner = await contextWith({ MAIL_UNDO_SECONDS: "10" });
    const ada = await person(inner);
    const base = { accountId: ada.mail.accountId, to: ["b@example.test"], text: "x" };
    const inAnHour = new Date(Date.now() + 3_600_000);
    expect((await ada.caller.mail.send({ ...base, sendAt: inAnHour })).sendAt).toEqual(inAnHour);
    const past = await ada.caller.mail.send({ ...base, sendAt: new Date(Date.now() - 60_000) });
    expect(past.sendAt.getTime()).toBeGreaterThan(Date.now() + 9_000);
    const tooFar = await failure(ada.caller.mail.send({ ...base, sendAt: new Date(Date.now() + 400 * 86_400_000) }));
    expect(tooFar).toMatchObject({ appCode: "INVALID_INPUT", paths: ["sendAt"] });
  });

  it("needs a verified email address", async () => {
    const inner = await contextWith();
    const unverified = await person(inner, { verified: false });
    const refused = await failure(
      unverified.caller.mail.send({ accountId: unverified.mail.accountId, to: ["bob@example.test"], text: "x" }),
    );
    expect(refused.appCode).toBe("FORBIDDEN");
  });
});

describe("sending limits (S29)", () => {
  it("counts messages per user against RATE_LIMIT_SEND", async () => {
    const inner = await contextWith({ RATE_LIMIT_SEND: "2/3600" });
    const ada = await person(inner);
    const bob = await person(inner);
    const send = (who: Person) =>
      who.caller.mail.send({ accountId: who.mail.accountId, to: ["x@example.test"], text: "x" });
    await send(ada);
    await send(ada);
    const refused = await failure(send(ada));
    expect(refused.appCode).toBe("RATE_LIMITED");
    expect(refused.message).toMatch(/Too many messages sent: at most 2 per hour/);
    await send(bob);
    expect(await outgoingOf(ada.id)).toHaveLength(2);
  });

  it("counts recipients (to, cc and bcc) per user against RATE_LIMIT_SEND_RECIPIENTS", async () => {
    const inner = await contextWith({ RATE_LIMIT_SEND_RECIPIENTS: "4/3600" });
    const ada = await person(inner);
    const base = { accountId: ada.mail.accountId, text: "x" };
    await ada.caller.mail.send({ ...base, to: ["a@example.test"], cc: ["b@example.test"], bcc: ["c@example.test"] });
    const refused = await failure(ada.caller.mail.send({ ...base, to: ["d@example.test", "e@example.test"] }));
    expect(refused.appCode).toBe("RATE_LIMITED");
    expect(refused.message).toMatch(/Too many recipients: at most 4 per hour/);
    // The refused message used none of the room: one recipient still fits.
    await ada.caller.mail.send({ ...base, to: ["d@example.test"] });
    expect(await outgoingOf(ada.id)).toHaveLength(2);
  });
});

describe("mail.cancelSend", () => {
  it("cancels inside the undo window once; afterwards, twice, or for another user it is NOT_FOUND", async () => {
    const inner = await contextWith({ MAIL_UNDO_SECONDS: "30" });
    const ada = await person(inner);
    const eve = await person(inner);
    const send = () => ada.caller.mail.send({ accountId: ada.mail.accountId, to: ["b@example.test"], text: "x" });
    const first = await send();
    expect((await failure(eve.caller.mail.cancelSend({ outgoingId: first.outgoingId }))).appCode).toBe("NOT_FOUND");
    expect(await ada.caller.mail.cancelSend({ outgoingId: first.outgoingId })).toEqual({ status: "cancelled" });
    expect((await failure(ada.caller.mail.cancelSend({ outgoingId: first.outgoingId }))).appCode).toBe("NOT_FOUND");

    const late = await send();
    await testDb.handle.db
      .updateTable("mail_outgoing")
      .set({ send_at: new Date(Date.now() - 1000) })
      .where("id", "=", late.outgoingId)
      .execute();
    expect((await failure(ada.caller.mail.cancelSend({ outgoingId: late.outgoingId }))).appCode).toBe("NOT_FOUND");
    const statuses = Object.fromEntries((await outgoingOf(ada.id)).map((row) => [row.id, row.status]));
    expect(statuses).toEqual({ [first.outgoingId]: "cancelled", [late.outgoingId]: "queued" });
  });
});

describe("mail.saveDraft", () => {
  it("stores the draft, updates it in place, and queues its server copy for each revision", async () => {
    const inner = await contextWith();
    const ada = await person(inner);
    const { draftId } = await ada.caller.mail.saveDraft({ accountId: ada.mail.accountId, to: [], text: "one" });
    const again = await ada.caller.mail.saveDraft({
      draftId,
      accountId: ada.mail.accountId,
      to: ["b@example.test"],
      subject: "Plans",
      text: "two",
    });
    expect(again).toEqual({ draftId });
    const row = await testDb.handle.db
      .selectFrom("mail_drafts")
      .selectAll()
      .where("id", "=", draftId)
      .executeTakeFirst();
    expect(row).toMatchObject({
      subject: "Plans",
      text_body: "two",
      revision: 2,
      to: [{ name: "", email: "b@example.test" }],
    });
    const jobs = enqueued.filter(
      (entry) => entry.name === "draft" && (entry.data as { draftId: string }).draftId === draftId,
    );
    expect(jobs.map((job) => job.jobId)).toEqual([`${draftId}-1`, `${draftId}-2`]);
  });
});

describe("mail.attachmentUrl", () => {
  it("signs a 5-minute URL bound to the caller for their upload or received attachment; another user's is NOT_FOUND", async () => {
    const inner = await contextWith();
    const ada = await person(inner);
    const eve = await person(inner);
    const upload = await insertMailUpload(testDb.handle.db, {
      userId: ada.id,
      filename: "a.txt",
      contentType: "text/plain",
      content: Buffer.from("a"),
    });
    const { messageId } = await ada.mail.newMessage();
    const received = await testDb.handle.db
      .insertInto("mail_attachments")
      .values({ message_id: messageId, filename: "r.pdf", content_type: "application/pdf", size: 3, content_id: null })
      .returning("id")
      .executeTakeFirstOrThrow();

    for (const [attachmentId, kind] of [
      [upload.id, "upload"],
      [received.id, "received"],
    ] as const) {
      const answer = await ada.caller.mail.attachmentUrl({ attachmentId });
      expect(answer.expiresAt.getTime() - Date.now()).toBeGreaterThan(4 * 60_000);
      expect(answer.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
      const url = new URL(answer.url);
      expect(url.origin).toBe(new URL(inner.config.appUrl).origin);
      const token = decodeURIComponent(url.pathname.replace(/^\/attachments\//, ""));
      expect(verifyAttachmentToken(inner.auth.sessions.encryptionKey, token)).toMatchObject({
        kind,
        attachmentId,
        userId: ada.id,
      });
      expect((await failure(eve.caller.mail.attachmentUrl({ attachmentId }))).appCode).toBe("NOT_FOUND");
    }
  });
});
