import { saveAnalysis } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testInnerContext } from "./context.ts";
import { mailBox, mailUser, raw } from "./mail-fixtures.ts";

// "Correct this" in the reading pane: ai.feedback's correction is what the message shows from then
// on, in the conversation and in the list, not only what the local model learns.

describe("ai.feedback corrects the shown analysis", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb?.drop());

  it("replaces the corrected fields of a ready analysis and keeps the rest", async () => {
    const inner = await testInnerContext(testDb.handle.db);
    const user = await mailUser(inner);
    const box = await mailBox(testDb.handle.db, user.id);
    const { messageId, threadId } = await box.deliver(
      "INBOX",
      raw({ id: "plan@t", subject: "Plans", from: "Ann <ann@example.test>", body: "Can we meet on Monday?" }),
    );
    await saveAnalysis(testDb.handle.db, {
      messageId,
      userId: user.id,
      accountId: box.accountId,
      priority: "high",
      category: "work",
      needsReply: true,
      summary: "Ann asks to meet.",
      actionItems: [],
      reasons: ["asks you something"],
      provider: "local",
      model: "rules",
    });

    expect(await user.caller.ai.feedback({ messageId, priority: "low", needsReply: false })).toEqual({ status: "ok" });

    const shown = (await user.caller.mail.thread({ threadId })).messages[0]?.ai;
    expect(shown).toMatchObject({ priority: "low", needsReply: false, category: "work", summary: "Ann asks to meet." });
    const listed = (await user.caller.mail.threads({})).items.find((thread) => thread.id === threadId);
    expect(listed?.ai).toEqual({
      priority: "low",
      category: "work",
      needsReply: false,
      summary: "Ann asks to meet.",
      messageId: expect.any(String),
      reasons: ["You marked this low priority", "You said this needs no reply"],
    });
  });
});
