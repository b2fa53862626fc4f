import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCallerFactory, createContext, plainRequest } from "../src/index.ts";
import { testInnerContext } from "./context.ts";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.drop());

describe("health router (inner context, no HTTP)", () => {
  it("answers ping with the mode and a Date", async () => {
    const ctx = createContext(await testInnerContext(testDb.handle.db), plainRequest());
    const caller = createCallerFactory(appRouter)(ctx);
    const answer = await caller.health.ping();
    expect(answer.status).toBe("ok");
    expect(answer.mode).toBe("embedded");
    expect(answer.time).toBeInstanceOf(Date);
  });
});
