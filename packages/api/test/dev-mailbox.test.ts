import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCallerFactory, createContext, plainRequest } from "../src/index.ts";
import { testInnerContext } from "./context.ts";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.drop());

async function callerFrom(ip: string, env: Record<string, string> = {}) {
  const ctx = createContext(await testInnerContext(testDb.handle.db, env), plainRequest({ ip }));
  return createCallerFactory(appRouter)(ctx);
}

describe("devMailbox procedures", () => {
  it("answer the machine itself", async () => {
    for (const ip of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
      expect(await (await callerFrom(ip)).devMailbox.list()).toEqual([]);
    }
  });

  it("do not exist for another host, nor in production", async () => {
    const callers = [
      await callerFrom("203.0.113.7"),
      await callerFrom("10.0.0.2"),
      await callerFrom("127.0.0.1", {
        NODE_ENV: "production",
        SMTP_URL: "smtp://mx:25",
        ENCRYPTION_KEY: Buffer.alloc(32).toString("base64"),
      }),
    ];
    // Each call is awaited as soon as it is made, so no rejection goes unobserved.
    const calls = callers.map((caller, index) =>
      index === 1 ? () => caller.devMailbox.sendTest({ to: "x@example.test" }) : () => caller.devMailbox.list(),
    );
    for (const call of calls) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe("NOT_FOUND");
    }
  });

  it("queue a test email through the outbox", async () => {
    const { id } = await (await callerFrom("127.0.0.1")).devMailbox.sendTest({ to: "dev@example.test" });
    const row = await testDb.handle.db.selectFrom("outbox").selectAll().where("id", "=", id).executeTakeFirst();
    expect(row).toMatchObject({ queue: "email", job_name: "send" });
    expect(row?.payload).toMatchObject({ template: "welcome", to: "dev@example.test" });
  });

  it("refuse a bad recipient with INVALID_INPUT naming the field", async () => {
    const error = await (await callerFrom("127.0.0.1")).devMailbox
      .sendTest({ to: "not-an-email" })
      .catch((caught: unknown) => caught);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
  });
});
