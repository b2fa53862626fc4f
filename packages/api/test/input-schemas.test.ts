import { loadConfig } from "@tidings/config";
import { describe, expect, it } from "vitest";
import { createAuthDeps } from "../src/auth-deps.ts";
import {
  changePasswordInput,
  emailOnlyInput,
  loginInput,
  registerInput,
  resetPasswordInput,
  updateProfileInput,
} from "../src/schemas.ts";
import { transformer } from "../src/transformer.ts";

const valid = { email: "ada@example.test", password: "correct horse battery staple 42", displayName: "Ada" };

describe("input schemas refuse text Postgres would refuse or alter (S18)", () => {
  it.each([
    ["NUL", "Ada\u0000"],
    ["a control character", "Ada\u001b[31m"],
    ["a lone surrogate", "Ada\ud800"],
  ])("a display name with %s is refused, naming the field", (_what, displayName) => {
    const result = registerInput.safeParse({ ...valid, displayName });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([["displayName"]]);
  });

  it("keeps names in any script, emoji included", () => {
    const result = registerInput.safeParse({ ...valid, displayName: " Zoë 张伟 👩‍👩‍👧‍👦 " });
    expect(result.data?.displayName).toBe("Zoë 张伟 👩‍👩‍👧‍👦");
  });

  it("refuses a new password with a lone surrogate, which would be hashed as U+FFFD", () => {
    const result = registerInput.safeParse({ ...valid, password: "correct horse battery \udc00 staple" });
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([["password"]]);
  });
});

describe("form inputs speak plainly", () => {
  // Each value is wrong in one way a person can get it wrong: empty, too short, too long, not an address.
  const cases = [
    ["sign-up", registerInput, { email: "", password: "", displayName: "x".repeat(101) }],
    ["sign-up", registerInput, { email: "ab", password: "p".repeat(1025), displayName: "Ada" }],
    ["sign-in", loginInput, { email: "a".repeat(321), password: "" }],
    ["sign-in", loginInput, { email: "not an address", password: "p".repeat(1025) }],
    ["forgot password", emailOnlyInput, { email: "a@" }],
    ["reset password", resetPasswordInput, { token: "t".repeat(43), newPassword: "" }],
    ["change password", changePasswordInput, { currentPassword: "", newPassword: "p".repeat(1025) }],
    ["profile", updateProfileInput, { displayName: "  " }],
  ] as const;

  it.each(cases)("%s: every message is a sentence for people, not zod's", (_form, schema, values) => {
    const result = schema.safeParse(values);
    const messages = result.error?.issues.map((issue) => issue.message) ?? [];
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) {
      expect(message).not.toMatch(/too small|too big|expected|invalid input|>=|<=/i);
      expect(message).toMatch(/^[A-Z]/);
    }
  });
});

describe("superjson input envelopes", () => {
  const deserialize = transformer.input.deserialize;

  it("reads what the client's superjson writes", () => {
    const date = new Date("2030-01-01T00:00:00Z");
    expect(deserialize(transformer.input.serialize({ at: date, gone: undefined }))).toEqual({
      at: date,
      gone: undefined,
    });
  });

  it.each([
    { values: " " },
    { values: { email: "xy" } },
    { values: ["undefined", "undefined"] },
    { values: [["class", "x", "y"]] },
    { referentialEqualities: "abc" },
    "meta",
  ])("refuses annotations superjson never writes (%j) as the caller's error", (meta) => {
    expect(() => deserialize({ json: {}, meta })).toThrow(expect.objectContaining({ code: "BAD_REQUEST" }));
  });
});

describe("ADMIN_EMAILS", () => {
  it("is normalised like stored addresses (case, spaces, NFKC), so every spelling of an entry matches", () => {
    const deps = createAuthDeps({
      config: loadConfig({ ADMIN_EMAILS: " Boss@Example.TEST ,ｏｐｓ@example.test" }),
      db: undefined as never,
      keyRing: undefined as never,
      revocation: undefined as never,
      encryptionKey: Buffer.alloc(32),
      onBackgroundError: () => {},
    });
    expect(deps.adminEmails).toEqual(["boss@example.test", "ops@example.test"]);
  });
});
