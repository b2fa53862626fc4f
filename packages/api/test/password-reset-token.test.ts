import { hashPassword, issueOneTimeToken } from "@tidings/auth";
import { insertUserIfAbsent, sql } from "@tidings/db";
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

let addressCount = 0;
async function callerFrom(ip: string, env: Record<string, string> = {}) {
  const ctx = createContext(await testInnerContext(testDb.handle.db, env), plainRequest({ ip }));
  return createCallerFactory(appRouter)(ctx);
}
/** Each test its own client address, so one test's calls never count against another's limit. */
const freshCaller = (env: Record<string, string> = {}) => callerFrom(`203.0.113.${++addressCount}`, env);

async function userWithResetLink(email: string) {
  const user = await insertUserIfAbsent(testDb.handle.db, {
    email,
    emailNormalized: email.toLowerCase(),
    displayName: null,
    passwordHash: await hashPassword("an old password nobody uses"),
  });
  if (!user) throw new Error("user exists already");
  return { user, token: await issueOneTimeToken(testDb.handle.db, user.id, "password_reset") };
}

describe("auth.checkPasswordResetToken", () => {
  it("names the account a live link changes, and leaves the link usable", async () => {
    const { token } = await userWithResetLink("Reset.Me@example.test");
    const caller = await freshCaller();
    expect(await caller.auth.checkPasswordResetToken({ token })).toEqual({
      valid: true,
      email: "Reset.Me@example.test",
    });
    expect(await caller.auth.checkPasswordResetToken({ token })).toEqual({
      valid: true,
      email: "Reset.Me@example.test",
    });
    await expect(
      caller.auth.resetPassword({ token, newPassword: "quiet lanterns drift over copper rivers" }),
    ).resolves.toEqual({ status: "ok" });
    // Spent now: the page would show the dead-link state.
    expect(await caller.auth.checkPasswordResetToken({ token })).toEqual({ valid: false, reason: "TOKEN_INVALID" });
  });

  it("calls a garbage token, or another kind of link, invalid", async () => {
    const { user } = await userWithResetLink("other-kind@example.test");
    const verifyToken = await issueOneTimeToken(testDb.handle.db, user.id, "verify_email");
    const caller = await freshCaller();
    for (const token of ["x".repeat(43), verifyToken]) {
      expect(await caller.auth.checkPasswordResetToken({ token })).toEqual({ valid: false, reason: "TOKEN_INVALID" });
    }
  });

  it("tells an expired link from a used one", async () => {
    const { user, token } = await userWithResetLink("expired@example.test");
    await sql`update one_time_tokens set expires_at = now() - interval '1 second' where user_id = ${user.id}`.execute(
      testDb.handle.db,
    );
    const caller = await freshCaller();
    expect(await caller.auth.checkPasswordResetToken({ token })).toEqual({ valid: false, reason: "TOKEN_EXPIRED" });
  });

  it("is an older link invalid once a newer one is sent", async () => {
    const { user, token } = await userWithResetLink("twice@example.test");
    await issueOneTimeToken(testDb.handle.db, user.id, "password_reset");
    const caller = await freshCaller();
    expect(await caller.auth.checkPasswordResetToken({ token })).toEqual({ valid: false, reason: "TOKEN_INVALID" });
  });

  it("refuses a malformed token as the caller's error, naming the field", async () => {
    const caller = await freshCaller();
    const error = await caller.auth.checkPasswordResetToken({ token: "short" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect((error as TRPCError).message).toContain('"token"');
  });

  it("counts against the per-address limit, so links cannot be tried in bulk", async () => {
    const caller = await freshCaller({ RATE_LIMIT_DEFAULT: "3/60" });
    for (let i = 0; i < 3; i++) await caller.auth.checkPasswordResetToken({ token: `${"y".repeat(42)}${i}` });
    const error = await caller.auth
      .checkPasswordResetToken({ token: "z".repeat(43) })
      .catch((caught: unknown) => caught);
    expect((error as TRPCError).code).toBe("TOO_MANY_REQUESTS");
  });
});
