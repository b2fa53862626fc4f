import type { DatabaseHandle } from "@tidings/db";
import { createTestDatabase } from "@tidings/db/testing";
import { createMemoryMailEventBus, createRedisMailEventBus, type MailEvent, type MailEventBus } from "@tidings/mail";
import { createTestRedis, type TestRedis } from "@tidings/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../src/errors.ts";
import { appRouter, createCallerFactory, createContext, type InnerContext, plainRequest } from "../src/index.ts";
import { testInnerContext } from "./context.ts";
import { type MailUser, mailUser } from "./mail-fixtures.ts";

// mail.events through createCaller, on a real database, with both buses: the embedded mode's
// memory bus and the production Redis bus (a stream per user plus PUBLISH).

const createCaller = createCallerFactory(appRouter);
const accountId = "00000000-0000-4000-8000-00000000000a";
const threadEvent = (threadId: string): MailEvent => ({ type: "thread.updated", accountId, threadId });

type Envelope = [id: string, event: MailEvent, ...rest: unknown[]];

/** A connection to mail.events: its iterator, and the abort that stands for the client leaving. */
async function connect(inner: InnerContext, user: MailUser, lastEventId?: string, shutdown?: AbortSignal) {
  const leave = new AbortController();
  const caller = createCaller(
    createContext({ ...inner, ...(shutdown ? { shutdown } : {}) }, plainRequest({ accessToken: user.accessToken })),
    { signal: leave.signal },
  );
  const stream = await caller.mail.events(lastEventId === undefined ? {} : { lastEventId });
  const iterator = stream[Symbol.asyncIterator]();
  return {
    /** The next event as `[id, event]`; fails if none comes within 5 s. */
    async next(): Promise<Envelope> {
      const result = await within(iterator.next(), 5_000);
      if (result.done) throw new Error("the stream ended");
      return result.value as unknown as Envelope;
    },
    /** Whether an event is delivered within `ms` (for "nothing arrives"). */
    async nothingWithin(ms: number): Promise<boolean> {
      const pending = iterator.next();
      const outcome = await Promise.race([pending.then(() => "event"), sleep(ms).then(() => "quiet")]);
      return outcome === "quiet";
    },
    iterator,
    /** The client goes away: the request is aborted and the consumer stops reading, as tRPC's does. */
    /** Only the request's abort, with a read pending. */
    abort: () => leave.abort(),
    leave: async () => {
      leave.abort();
      await iterator.return?.();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

let testDb: { handle: DatabaseHandle; drop: () => Promise<void> };
let redis: TestRedis;
beforeAll(async () => {
  [testDb, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
});
afterAll(async () => {
  await Promise.all([testDb?.drop(), redis?.cleanup()]);
});

/** A bus, and for Redis the pub/sub channel of a user (to check nothing is left subscribed). */
interface TestBus {
  bus: MailEventBus;
  channel?: (userId: string) => string;
}
const buses: Array<[string, () => TestBus]> = [
  ["memory", () => ({ bus: createMemoryMailEventBus() })],
  [
    "Redis",
    () => {
      const prefix = `${redis.prefix}:${Math.random().toString(36).slice(2)}`;
      return {
        bus: createRedisMailEventBus(redis.client, prefix),
        channel: (userId) => `${prefix}:mail:live:${userId}`,
      };
    },
  ],
];

describe.each(buses)("mail.events on the %s bus", (_busName, createBus) => {
  let inner: InnerContext;
  let bus: MailEventBus;
  let channel: TestBus["channel"];
  let alice: MailUser;
  let bob: MailUser;

  beforeAll(async () => {
    ({ bus, channel } = createBus());
    inner = { ...(await testInnerContext(testDb.handle.db)), mailEvents: bus };
    [alice, bob] = [await mailUser(inner), await mailUser(inner)];
  });
  afterAll(() => bus?.close());

  it("relays the caller's own events live and nobody else's", async () => {
    const aliceStream = await connect(inner, alice);
    const bobStream = await connect(inner, bob);
    // The generator subscribes on its first pull; publish once both are listening.
    const aliceFirst = aliceStream.next();
    const bobQuiet = bobStream.nothingWithin(1_000);
    await sleep(200);
    await bus.publish(alice.id, threadEvent("t-alice"));
    const [id, event] = await aliceFirst;
    expect(event).toEqual(threadEvent("t-alice"));
    expect(id).toMatch(/^\d/);
    expect(await bobQuiet).toBe(true);
    await aliceStream.leave();
    await bobStream.leave();
  });

  it("replays what came after lastEventId, then goes on live, each event once and in order", async () => {
    const first = await connect(inner, alice);
    const firstEvent = first.next();
    await sleep(200);
    await bus.publish(alice.id, threadEvent("r1"));
    const [seenId] = await firstEvent;
    await first.leave();
    // Missed while disconnected:
    await bus.publish(alice.id, threadEvent("r2"));
    await bus.publish(bob.id, threadEvent("bob-only"));
    await bus.publish(alice.id, threadEvent("r3"));

    const again = await connect(inner, alice, seenId);
    expect((await again.next())[1]).toEqual(threadEvent("r2"));
    expect((await again.next())[1]).toEqual(threadEvent("r3"));
    await bus.publish(alice.id, threadEvent("r4"));
    expect((await again.next())[1]).toEqual(threadEvent("r4"));
    expect(await again.nothingWithin(500)).toBe(true);
    await again.leave();
  });

  it("delivers an event published while the replay is read once, not twice or never", async () => {
    const first = await connect(inner, alice);
    const firstEvent = first.next();
    await sleep(200);
    await bus.publish(alice.id, threadEvent("before"));
    const [seenId] = await firstEvent;
    await first.leave();
    await bus.publish(alice.id, threadEvent("missed"));

    // The same bus, except that an event lands between the live subscription and the replay read:
    // it reaches the connection both live and in the history.
    const racing: MailEventBus = {
      ...bus,
      publish: (userId, event) => bus.publish(userId, event),
      subscribe: (userId, listener) => bus.subscribe(userId, listener),
      ready: () => bus.ready?.() ?? Promise.resolve(),
      since: async (userId, lastEventId) => {
        await bus.publish(userId, threadEvent("during"));
        await bus.ready?.();
        await sleep(100);
        return bus.since(userId, lastEventId);
      },
      close: async () => {},
    };
    const again = await connect({ ...inner, mailEvents: racing }, alice, seenId);
    expect((await again.next())[1]).toEqual(threadEvent("missed"));
    expect((await again.next())[1]).toEqual(threadEvent("during"));
    await bus.publish(alice.id, threadEvent("after"));
    expect((await again.next())[1]).toEqual(threadEvent("after"));
    expect(await again.nothingWithin(500)).toBe(true);
    await again.leave();
  });

  it("an unknown or foreign lastEventId replays nothing and still goes live", async () => {
    const stream = await connect(inner, alice, "not-an-id");
    const next = stream.next();
    await sleep(200);
    await bus.publish(alice.id, threadEvent("live"));
    expect((await next)[1]).toEqual(threadEvent("live"));
    await stream.leave();
  });

  it("ends when the client leaves", async () => {
    const stream = await connect(inner, alice);
    const pending = stream.iterator.next();
    await sleep(200);
    stream.abort();
    expect(await within(pending, 5_000)).toMatchObject({ done: true });
    if (channel) {
      // No subscription is left behind on the Redis server for this user.
      await bus.ready?.();
      const [, count] = (await redis.client.pubsub("NUMSUB", channel(alice.id))) as [string, number];
      expect(count).toBe(0);
    }
  });

  it("ends with a retryable error at server shutdown, so the client reconnects elsewhere", async () => {
    const shutdown = new AbortController();
    const stream = await connect(inner, alice, undefined, shutdown.signal);
    const pending = stream.iterator.next();
    await sleep(200);
    shutdown.abort();
    const error = await within(pending, 5_000).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("SERVICE_UNAVAILABLE");
  });
});

describe("mail.events refusals", () => {
  let inner: InnerContext;
  beforeAll(async () => {
    inner = await testInnerContext(testDb.handle.db);
  });

  it("needs a signed-in caller", async () => {
    const caller = createCaller(createContext(inner, plainRequest()));
    const error = await caller.mail.events({}).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error instanceof AppError && error.appCode).toBe("TOKEN_INVALID");
  });

  it("refuses a lastEventId that cannot be an event id, naming the field", async () => {
    const user = await mailUser(inner);
    const error = await user.caller.mail.events({ lastEventId: "9".repeat(65) }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect(String((error as TRPCError).cause)).toContain("lastEventId");
  });
});
