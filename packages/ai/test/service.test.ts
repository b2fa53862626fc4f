import { randomUUID } from "node:crypto";
import { findAnalysis, insertUserIfAbsent } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
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
    const message = email({ id: randomUUID(), accountId: randomUUID() });
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
    const message = email({ id: randomUUID(), accountId: randomUUID() });
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
  const fromBoss = (i: number) =>
    email({
      id: randomUUID(),
      from: { name: "Grace", email: "grace@bigcorp.example" },
      subject: `Board report draft ${i}`,
      text: `Here is version ${i} of the board report with the revenue forecast.`,
    });
  const fromVendor = (i: number) =>
    email({
      id: randomUUID(),
      from: { name: "Sales", email: "sam@vendorhub.example" },
      subject: `Partnership opportunity ${i}`,
      text: `Following up on our platform demo and pricing, version ${i}.`,
    });

  it("applies 30 concurrent lessons, none lost, and changes the priority of similar new mail", async () => {
    const { db } = testDb.handle;
    const noModel = await loadPredictor(db, userId);
    expect(analyzeLocally(fromBoss(99), me, noModel).priority).toBe("normal");
    expect(analyzeLocally(fromVendor(99), me, noModel).priority).toBe("normal");

    await Promise.all(
      Array.from({ length: 15 }, (_, i) => [
        learnAndStore(db, {
          userId,
          email: fromBoss(i),
          recipient: me,
          lesson: lessonFromBehaviour("starred"),
          source: "starred",
        }),
        learnAndStore(db, {
          userId,
          email: fromVendor(i),
          recipient: me,
          lesson: lessonFromBehaviour("archivedUnread"),
          source: "archivedUnread",
        }),
      ]).flat(),
    );

    expect((await loadLocalModel(db, userId)).samples).toBe(30);
    const provider = createLocalProvider(await loadPredictor(db, userId));
    const context = { meter: unmetered, recipient: me };
    expect((await provider.analyze(fromBoss(100), context)).priority).toBe("high");
    expect((await provider.analyze(fromVendor(100), context)).priority).toBe("low");
    const feedback = await db.selectFrom("ai_feedback").select("source").where("user_id", "=", userId).execute();
    expect(feedback).toHaveLength(30);
  });
});

describe("thread summaries", () => {
  it("are cached until a message arrives", async () => {
    const { db } = testDb.handle;
    failing = false;
    const threadId = randomUUID();
    let calls = 0;
    const local = createLocalProvider();
    const counting = {
      ...local,
      summarizeThread: (...args: Parameters<typeof local.summarizeThread>) => {
        calls++;
        return local.summarizeThread(...args);
      },
    };
    const first = email({ id: randomUUID(), text: "Can we meet on Tuesday to plan the launch?" });
    const request = { userId, threadId, provider: counting, context: { meter: unmetered, recipient: me } };

    const made = await summarizeThreadCached(db, { ...request, thread: [first] });
    const again = await summarizeThreadCached(db, { ...request, thread: [first] });
    expect([made.cached, again.cached, calls]).toEqual([false, true, 1]);
    expect(again.summary).toBe(made.summary);
    expect(again.basedOnMessageIds).toEqual([first.id]);

    const reply = email({ id: randomUUID(), text: "Tuesday works. Should I book the room?" });
    const updated = await summarizeThreadCached(db, { ...request, thread: [first, reply] });
    expect([updated.cached, calls]).toEqual([false, 2]);
    expect(updated.basedOnMessageIds).toEqual([first.id, reply.id]);
    expect(updated.openQuestions).toEqual(["Should I book the room?"]);
  });
});
