import { hash as argon2Hash } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import { dummyPasswordHash } from "../src/password/dummy-verify.ts";
import {
  dummyVerify,
  hashPassword,
  needsRehash,
  normalizePassword,
  passwordHashParameters,
  verifyPassword,
} from "../src/password/index.ts";

describe("password hashing", () => {
  it("hashes with argon2id at m=19456, t=2, p=1 and verifies only the right password", async () => {
    expect(passwordHashParameters).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const hash = await hashPassword("ajwq93-FzPlx");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[^$]+\$[^$]+$/);
    expect(await verifyPassword(hash, "ajwq93-FzPlx")).toBe(true);
    expect(await verifyPassword(hash, "ajwq93-FzPlX")).toBe(false);
    // A fresh salt each time.
    expect(await hashPassword("ajwq93-FzPlx")).not.toBe(hash);
  });

  it("verifies a password typed with compatibility characters against its NFKC form", async () => {
    const ligature = "\uFB01sh-Taco-Orbit-77"; // "ﬁ" as one character
    expect(normalizePassword(ligature)).toBe("fish-Taco-Orbit-77");
    expect(await verifyPassword(await hashPassword("fish-Taco-Orbit-77"), ligature)).toBe(true);

    const fullWidth = "\uFF27\uFF52\uFF45\uFF45\uFF4E\uFF37\uFF48\uFF41\uFF4C\uFF45-Moon-73"; // "ＧｒｅｅｎＷｈａｌｅ"
    expect(await verifyPassword(await hashPassword(fullWidth), "GreenWhale-Moon-73")).toBe(true);
  });

  it("never truncates: long passwords differing only in the last character do not match", async () => {
    const first = `${"x".repeat(99)}a`;
    const second = `${"x".repeat(99)}b`;
    expect([first.length, second.length]).toEqual([100, 100]);
    const hash = await hashPassword(first);
    expect(await verifyPassword(hash, first)).toBe(true);
    expect(await verifyPassword(hash, second)).toBe(false);
  });

  it("returns false instead of throwing for a malformed or foreign hash", async () => {
    expect(await verifyPassword("", "ajwq93-FzPlx")).toBe(false);
    expect(await verifyPassword("not a hash", "ajwq93-FzPlx")).toBe(false);
    expect(await verifyPassword("$argon2id$v=19$m=19456,t=2,p=1$abc", "ajwq93-FzPlx")).toBe(false);
    expect(await verifyPassword("$2b$10$abcdefghijklmnopqrstuuJ0yQ7p6Q8cQ2x0XlZ7xV1m3b1e0qGm", "x")).toBe(false);
  });

  it("asks for a rehash when the algorithm or parameters are not the current ones", async () => {
    expect(needsRehash(await hashPassword("ajwq93-FzPlx"))).toBe(false);
    expect(needsRehash(await argon2Hash("ajwq93-FzPlx", { memoryCost: 8192, timeCost: 3, parallelism: 1 }))).toBe(true);
    expect(needsRehash(await argon2Hash("ajwq93-FzPlx", { ...passwordHashParameters, algorithm: 1 }))).toBe(true);
    expect(needsRehash("not a hash")).toBe(true);
  });

  it("dummyVerify resolves and verifies against a hash with the current parameters", async () => {
    // Same parameters means the same argon2 work as a real verification.
    expect(needsRehash(dummyPasswordHash)).toBe(false);
    await expect(dummyVerify("whatever the attacker typed")).resolves.toBeUndefined();
  });
});
