import { loadConfig } from "@tidings/config";
import { createInProcessProducer } from "@tidings/jobs";
import { createTestDatabase, type TestDatabase } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, createCallerFactory, createContext } from "../src/index.ts";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.drop());

describe("health router (inner context, no HTTP)", () => {
  it("answers ping with the mode and a Date", async () => {
    const jobs = createInProcessProducer(
      { email: async () => undefined, maintenance: async () => undefined },
      () => {},
    );
    const ctx = createContext(
      { config: loadConfig({}), db: testDb.handle.db, jobs },
      { ip: "127.0.0.1", userAgent: "vitest", requestId: "r1" },
    );
    const caller = createCallerFactory(appRouter)(ctx);
    const answer = await caller.health.ping();
    expect(answer.status).toBe("ok");
    expect(answer.mode).toBe("embedded");
    expect(answer.time).toBeInstanceOf(Date);
  });
});
