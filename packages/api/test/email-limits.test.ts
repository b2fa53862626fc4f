import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../src/errors.ts";
import { appRouter, createCallerFactory, createContext, plainRequest } from "../src/index.ts";
import { testInnerContext } from "./context.ts";

// S9's per-address budget for emails (3 per hour by default) counts only requests that would send
// one: a sign-up refused for its password sends nothing, so it must not use the budget up.

let testDb: TestDatabase;
/** The work resend and reset leave for after their answer; awaited before the database goes. */
const background: Promise<void>[] = [];
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(background);
  await testDb?.drop();
});

const STRONG = "correct horse battery staple 42";

async function callerFrom(ip: string) {
  const inner = await testInnerContext(testDb.handle.db);
  inner.auth.afterResponse = (task) => background.push(task());
  const ctx = createContext(inner, plainRequest({ ip }));
  return createCallerFactory(appRouter)(ctx);
}

async function failure(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("per-address email limit", () => {
  it("is not used up by sign-ups refused for a weak password; a reset right after sign-up passes", async () => {
    const caller = await callerFrom("127.0.0.1");
    const email = "weak-then-strong@example.test";
    for (const password of ["password", "aaaaaaaaaaaaaaaa", email]) {
      expect((await failure(caller.auth.register({ email, password }))).appCode).toBe("WEAK_PASSWORD");
    }
    expect(await caller.auth.register({ email, password: STRONG })).toEqual({ status: "verification_sent" });
    expect(await caller.auth.requestPasswordReset({ email })).toEqual({ status: "ok" });
    // The budget still holds for requests that do send: the third passes, the fourth is refused.
    expect(await caller.auth.resendVerification({ email })).toEqual({ status: "ok" });
    const refused = await failure(caller.auth.requestPasswordReset({ email: ` ${email.toUpperCase()}` }));
    expect(refused).toBeInstanceOf(TRPCError);
    expect(refused.appCode).toBe("RATE_LIMITED");
    expect(refused.message).toMatch(/^Too many emails to this address\. Try again in (59|60) minutes\.$/);
    expect(refused.extra.retryAfterSeconds).toBeGreaterThan(3500);
  });

  it("names the network when the per-address-of-the-client budget is what ran out", async () => {
    const caller = await callerFrom("127.0.0.9");
    for (let i = 0; i < 20; i++) {
      expect(await caller.auth.resendVerification({ email: `network-${i}@example.test` })).toEqual({ status: "ok" });
    }
    const refused = await failure(caller.auth.resendVerification({ email: "network-x@example.test" }));
    expect(refused.message).toMatch(/^Too many email requests from this network\. Try again in \d+ minutes?\.$/);
  });
});
