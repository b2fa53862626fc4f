import { createMailFixture, createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  insertMailDraft,
  insertMailOutgoing,
  insertMailUpload,
  pruneStaleRows,
  UNUSED_UPLOAD_TTL_MS,
} from "../src/index.ts";

const HOUR = 60 * 60 * 1000;

describe("pruning rows nothing will read again", () => {
  let testDb: TestDatabase;
  let userId: string;
  let accountId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const { db } = testDb.handle;
    userId = (
      await db
        .insertInto("users")
        .values({ email: "ann@example.test", email_normalized: "ann@example.test" })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    accountId = (await createMailFixture(db, userId)).accountId;
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const upload = async (name: string, ageMs: number) => {
    const { db } = testDb.handle;
    const { id } = await insertMailUpload(db, {
      userId,
      filename: `${name}.txt`,
      contentType: "text/plain",
      content: Buffer.from(name),
    });
    await db
      .updateTable("mail_uploads")
      .set({ created_at: new Date(Date.now() - ageMs) })
      .where("id", "=", id)
      .execute();
    return id;
  };
  const outgoing = (attachmentIds: string[], status: "queued" | "sending" | "sent" | "failed" | "cancelled") =>
    insertMailOutgoing(testDb.handle.db, {
      userId,
      accountId,
      draftId: null,
      sendAt: new Date(),
      messageId: `<${crypto.randomUUID()}@example.test>`,
      from: { name: "Ann", email: "ann@example.test" },
      to: [{ name: "", email: "bob@example.test" }],
      cc: [],
      bcc: [],
      subject: "files",
      text: "attached",
      html: null,
      inReplyTo: null,
      references: [],
      replyToMessageId: null,
      attachmentIds,
    }).then((row) => testDb.handle.db.updateTable("mail_outgoing").set({ status }).where("id", "=", row.id).execute());
  const remaining = async () =>
    (await testDb.handle.db.selectFrom("mail_uploads").select("filename").orderBy("filename").execute()).map(
      (row) => row.filename,
    );

  it("deletes day-old uploads that no draft or unsent message names, and keeps the rest", async () => {
    const old = UNUSED_UPLOAD_TTL_MS + HOUR;
    const inDraft = await upload("old-in-draft", old);
    const queued = await upload("old-queued", old);
    const sending = await upload("old-sending", old);
    const failed = await upload("old-failed", old);
    const sent = await upload("old-sent", old);
    const cancelled = await upload("old-cancelled", old);
    await upload("old-unused", old);
    await upload("recent-unused", HOUR);
    await insertMailDraft(testDb.handle.db, {
      userId,
      accountId,
      messageId: "<draft@example.test>",
      to: [],
      cc: [],
      bcc: [],
      subject: "",
      text: "",
      html: null,
      replyToMessageId: null,
      attachmentIds: [inDraft],
    });
    await outgoing([queued], "queued");
    await outgoing([sending], "sending");
    await outgoing([failed], "failed");
    await outgoing([sent], "sent");
    await outgoing([cancelled], "cancelled");

    const counts = await pruneStaleRows(testDb.handle.db);
    expect(counts.uploads).toBe(3);
    expect(await remaining()).toEqual([
      "old-failed.txt",
      "old-in-draft.txt",
      "old-queued.txt",
      "old-sending.txt",
      "recent-unused.txt",
    ]);
    // Running again (another process, the next hour) finds nothing more.
    expect((await pruneStaleRows(testDb.handle.db)).uploads).toBe(0);
  });

  it("deletes OAuth requests and WebAuthn challenges an hour past expiry, keeping live and just-expired ones", async () => {
    const { db } = testDb.handle;
    const at = (offsetMs: number) => new Date(Date.now() + offsetMs);
    await db
      .insertInto("mail_oauth_states")
      .values([
        {
          state_hash: "long-expired",
          user_id: userId,
          provider: "google",
          code_verifier_sealed: "x",
          expires_at: at(-2 * HOUR),
        },
        {
          state_hash: "just-expired",
          user_id: userId,
          provider: "google",
          code_verifier_sealed: "x",
          expires_at: at(-60_000),
        },
        { state_hash: "live", user_id: userId, provider: "microsoft", code_verifier_sealed: "x", expires_at: at(HOUR) },
      ])
      .execute();
    await db
      .insertInto("webauthn_challenges")
      .values([
        { challenge: "long-expired", purpose: "passwordless", expires_at: at(-2 * HOUR) },
        { challenge: "live", purpose: "passwordless", expires_at: at(HOUR) },
      ])
      .execute();

    const counts = await pruneStaleRows(db);
    expect(counts).toMatchObject({ oauthStates: 1, webauthnChallenges: 1 });
    const states = await db.selectFrom("mail_oauth_states").select("state_hash").orderBy("state_hash").execute();
    expect(states.map((row) => row.state_hash)).toEqual(["just-expired", "live"]);
    const challenges = await db.selectFrom("webauthn_challenges").select("challenge").execute();
    expect(challenges.map((row) => row.challenge)).toEqual(["live"]);
  });
});
