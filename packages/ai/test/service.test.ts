import { findAnalysis, insertUserIfAbsent } from "@tidings/db";
import { createMailFixture, createTestDatabase, type MailFixture, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AiBudgetExceededError,
  AiProviderError,
  analyzeAndStore,
  analyzeLocally,
  createLocalProvider,
  learnAndStore,
  lessonFromBehaviour,
  loadLocalModel,
  loadPredictor,
  summarizeThreadCached,
  unmetered,
} from "../src/index.ts";
import { completion, startFakeOpenAi } from "./fake-openai.ts";
import { email, fakeOpenAiProvider, me, memoryMeter } from "./fixtures.ts";

let testDb: TestDatabase;
let userId: string;
let mail: MailFixture;
let failing = true;
let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
const validAnswer = {
  priority: "low",
  category: "work",
  needsReply: false,
  summary: "From the model.",
  actionItems: [],
  reasons: [],
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  const user = await insertUserIfAbsent(testDb.handle.db, {
    email: "service@tidings.test",
    emailNormalized: "service@tidings.test",
    displayName: null,
    passwordHash: "x",
  });
  if (!user) throw new Error("no user");
  userId = user.id;
  mail = await createMailFixture(testDb.handle.db, userId);
  fake = await startFakeOpenAi(() =>
    failing ? { status: 503, json: { error: { message: "down" } } } : { json: completion(JSON.stringify(validAnswer)) },
  );
});
afterAll(async () => {
  await fake?.close();
  await testDb?.drop();
});

const cloud = () => fakeOpenAiProvider(fake.baseUrl, 5_000);

describe("analyse and store", () => {
  it("keeps a provider failure for a retry, then stores the analysis, and a later failure does not erase it", async () => {
    const { db } = testDb.handle;
    const message = email({ id: (await mail.newMessage()).messageId, accountId: mail.accountId });
    const request = { userId, email: message, provider: cloud(), model: "gpt-4o-mini" };
    const context = { meter: memoryMeter().meter, recipient: me };

    failing = true;
    await expect(analyzeAndStore(db, { ...request, context })).rejects.toBeInstanceOf(AiProviderError);
    expect(await findAnalysis(db, userId, message.id)).toMatchObject({ status: "failed", attempts: 1 });

    failing = false;
    await analyzeAndStore(db, { ...request, context });
    expect(await findAnalysis(db, userId, message.id)).toMatchObject({
      status: "ready",
      priority: "low",
      summary: "From the model.",
      provider: "openai",
    });

    failing = true;
    await expect(analyzeAndStore(db, { ...request, context })).rejects.toBeInstanceOf(AiProviderError);
    expect(await findAnalysis(db, userId, message.id)).toMatchObject({ status: "ready", summary: "From the model." });
  });

  it("records a spent budget as the reason an analysis is missing", async () => {
    const { db } = testDb.handle;
    const message = email({ id: (await mail.newMessage()).messageId, accountId: mail.accountId });
    await expect(
      analyzeAndStore(db, {
        userId,
        email: message,
        provider: cloud(),
        model: "gpt-4o-mini",
        context: { meter: memoryMeter(0).meter, recipient: me },
      }),
    ).rejects.toBeInstanceOf(AiBudgetExceededError);
    expect(await findAnalysis(db, userId, message.id)).toMatchObject({
      status: "failed",
      last_error: "AI_BUDGET_EXCEEDED",
    });
  });
});

describe("learning stored in Postgres", () => {
  const fromBoss = async (i: number) =>
    email({
      id: (await mail.newMessage()).messageId,
      from: { name: "Grace", email: "grace@bigcorp.example" },
      subject: `Board report draft ${i}`,
      text: `Here is version ${i} of the board report with the revenue forecast.`,
    });
  const fromVendor = async (i: number) =>
    email({
      id: (await mail.newMessage()).messageId,
      from: { name: "Sales", email: "sam@vendorhub.example" },
      subject: `Partnership opportunity ${i}`,
      text: `Our platform demo and pricing, version ${i}.`,
    });

  it("applies 30 concurrent lessons, none lost, and changes the priority of similar new mail", async () => {
    const { db } = testDb.handle;
    const noModel = await loadPredictor(db, userId);
    expect(analyzeLocally(await fromBoss(99), me, noModel).priority).toBe("normal");
    expect(analyzeLocally(await fromVendor(99), me, noModel).priority).toBe("normal");

    const bosses = await Promise.all(Array.from({ length: 15 }, (_, i) => fromBoss(i)));
    const vendors = await Promise.all(Array.from({ length: 15 }, (_, i) => fromVendor(i)));
    await Promise.all([
      ...bosses.map((sent) =>
        learnAndStore(db, {
          userId,
          email: sent,
          recipient: me,
          lesson: lessonFromBehaviour("starred"),
          source: "starred",
        }),
      ),
      ...vendors.map((sent) =>
        learnAndStore(db, {
          userId,
          email: sent,
          recipient: me,
          lesson: lessonFromBehaviour("archivedUnread"),
          source: "archivedUnread",
        }),
      ),
    ]);

    expect((await loadLocalModel(db, userId)).samples).toBe(30);
    const provider = createLocalProvider(await loadPredictor(db, userId));
    const context = { meter: unmetered, recipient: me };
    expect((await provider.analyze(await fromBoss(100), context)).priority).toBe("high");
    expect((await provider.analyze(await fromVendor(100), context)).priority).toBe("low");
    const feedback = await db.selectFrom("ai_feedback").select("source").where("user_id", "=", userId).execute();
    expect(feedback).toHaveLength(30);
  });
});

describe("thread summaries", () => {
  it("are cached until a message arrives", async () => {
    const { db } = testDb.handle;
    failing = false;
    const threadId = await mail.newThread();
    let calls = 0;
    const local = createLocalProvider();
    const counting = {
      ...local,
      summarizeThread: (...args: Parameters<typeof local.summarizeThread>) => {
        calls++;
        return local.summarizeThread(...args);
      },
    };
    const first = email({
      id: (await mail.newMessage(threadId)).messageId,
      text: "Can we meet on Tuesday to plan the launch?",
    });
    const request = { userId, threadId, provider: counting, context: { meter: unmetered, recipient: me } };

    const made = await summarizeThreadCached(db, { ...request, thread: [first] });
    const again = await summarizeThreadCached(db, { ...request, thread: [first] });
    expect([made.cached, again.cached, calls]).toEqual([false, true, 1]);
    expect(again.summary).toBe(made.summary);
    expect(again.basedOnMessageIds).toEqual([first.id]);

    const reply = email({
      id: (await mail.newMessage(threadId)).messageId,
      text: "Tuesday works. Should I book the room?",
    });
    const updated = await summarizeThreadCached(db, { ...request, thread: [first, reply] });
    expect([updated.cached, calls]).toEqual([false, 2]);
    expect(updated.basedOnMessageIds).toEqual([first.id, reply.id]);
    expect(updated.openQuestions).toEqual(["Should I book the room?"]);
  });
});
