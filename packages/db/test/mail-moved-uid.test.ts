import { createMailFixture, createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setMovedMailMessageUid } from "../src/index.ts";

// A message moved by the user gets its new UID from the server's COPYUID answer, while the sync may
// be storing the same message at that UID from its own FETCH. Whichever lands first, one row stays.
describe("giving a moved message its new UID", () => {
  let testDb: TestDatabase;
  let fixture: Awaited<ReturnType<typeof createMailFixture>>;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const { db } = testDb.handle;
    const user = await db
      .insertInto("users")
      .values({ email: "ann@example.test", email_normalized: "ann@example.test" })
      .returning("id")
      .executeTakeFirstOrThrow();
    fixture = await createMailFixture(db, user.id);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const rowsAt = (uid: number) =>
    testDb.handle.db
      .selectFrom("mail_messages")
      .select(["id", "thread_id"])
      .where("folder_id", "=", fixture.folderId)
      .where("uid", "=", uid)
      .execute();
  const placeholder = async (uid: number) => {
    const moved = await fixture.newMessage();
    await testDb.handle.db.updateTable("mail_messages").set({ uid }).where("id", "=", moved.messageId).execute();
    return moved;
  };
  const syncedRow = (threadId: string, uid: number) => ({
    account_id: fixture.accountId,
    user_id: "",
    folder_id: fixture.folderId,
    thread_id: threadId,
    uid,
    to: "[]",
    cc: "[]",
    reply_to: "[]",
    date: new Date(),
  });

  it("sets the UID when no sync stored it yet", async () => {
    const moved = await placeholder(-1);
    await setMovedMailMessageUid(testDb.handle.db, moved.messageId, fixture.folderId, 5001);
    expect((await rowsAt(5001)).map((row) => row.id)).toEqual([moved.messageId]);
  });

  it("drops the placeholder when a sync stored the UID first", async () => {
    const moved = await placeholder(-2);
    const synced = await fixture.newMessage();
    await testDb.handle.db.updateTable("mail_messages").set({ uid: 5002 }).where("id", "=", synced.messageId).execute();
    await setMovedMailMessageUid(testDb.handle.db, moved.messageId, fixture.folderId, 5002);
    expect((await rowsAt(5002)).map((row) => row.id)).toEqual([synced.messageId]);
    const placeholderLeft = await testDb.handle.db
      .selectFrom("mail_messages")
      .select("id")
      .where("id", "=", moved.messageId)
      .execute();
    expect(placeholderLeft).toEqual([]);
  });

  it("does not fail when a sync's insert of the UID commits while the move is being recorded", async () => {
    const { db } = testDb.handle;
    const moved = await placeholder(-3);
    const owner = await db
      .selectFrom("mail_messages")
      .select(["user_id", "thread_id"])
      .where("id", "=", moved.messageId)
      .executeTakeFirstOrThrow();
    const thread = await fixture.newThread();
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted!: () => void;
    const insertDone = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    // The sync's transaction holds the new UID, uncommitted, while the move records it.
    const sync = db.transaction().execute(async (trx) => {
      await trx
        .insertInto("mail_messages")
        .values({ ...syncedRow(thread, 5003), user_id: owner.user_id })
        .execute();
      inserted();
      await released;
    });
    await insertDone;
    const move = setMovedMailMessageUid(db, moved.messageId, fixture.folderId, 5003);
    // Give the move time to reach the unique key, where it waits for the sync's transaction.
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await sync;
    await expect(move).resolves.toBeUndefined();
    const rows = await rowsAt(5003);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id).not.toBe(moved.messageId);
  });
});
