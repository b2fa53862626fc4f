import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { mjmlCompileCount, render, templateDataSchemas } from "../src/index.ts";
import { appUrl } from "./fixtures.ts";

/** Renders data the type system would refuse, to see what reaches the schema at run time. */
function renderUnchecked(name: Parameters<typeof render>[0], data: unknown) {
  return render(name, data as never, { appUrl });
}

async function rejectionOf(promise: Promise<unknown>): Promise<ZodError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ZodError);
  return error as ZodError;
}

describe("bad data", () => {
  it("is rejected when the token is missing, naming the field", async () => {
    const error = await rejectionOf(renderUnchecked("verify-email", { displayName: "Ana" }));
    expect(error.issues.map((issue) => issue.path)).toEqual([["token"]]);
    expect(error.message).toMatch(/token/);
  });

  it("is rejected when the display name is too long, naming the field", async () => {
    const error = await rejectionOf(renderUnchecked("welcome", { displayName: "a".repeat(101) }));
    expect(error.issues[0]?.path).toEqual(["displayName"]);
    expect(error.message).toMatch(/displayName/);
  });

  it("rejects an empty or over-long token", async () => {
    expect((await rejectionOf(renderUnchecked("password-reset", { token: "" }))).issues[0]?.path).toEqual(["token"]);
    const long = await rejectionOf(renderUnchecked("account-locked", { token: "t".repeat(513) }));
    expect(long.issues[0]?.path).toEqual(["token"]);
  });

  it("rejects a time that is not an ISO datetime", async () => {
    const data = { at: "yesterday", ip: "203.0.113.9", userAgent: "Firefox" };
    expect((await rejectionOf(renderUnchecked("new-sign-in", data))).issues[0]?.path).toEqual(["at"]);
  });

  it("rejects names that could forge lines or headers", async () => {
    const error = await rejectionOf(renderUnchecked("invitation", { inviterName: "Bea\r\nBcc: x", token: "t" }));
    expect(error.issues[0]?.path).toEqual(["inviterName"]);
    expect(
      (await rejectionOf(renderUnchecked("invitation", { inviterName: "  ", token: "t" }))).issues[0]?.path,
    ).toEqual(["inviterName"]);
  });

  it("is rejected before any MJML work", async () => {
    const before = mjmlCompileCount();
    await rejectionOf(renderUnchecked("refresh-reuse", {}));
    expect(mjmlCompileCount()).toBe(before);
  });

  it("is the same check the exported schemas make", () => {
    expect(templateDataSchemas["verify-email"].safeParse({ token: "t" }).success).toBe(true);
    expect(templateDataSchemas["verify-email"].safeParse({}).success).toBe(false);
  });
});
