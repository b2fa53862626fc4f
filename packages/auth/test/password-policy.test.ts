import { describe, expect, it } from "vitest";
import { checkPasswordPolicy, hashPassword, verifyPassword } from "../src/password/index.ts";

const owner = { email: "alice.smith@example.com", displayName: "Alice Smith" };
const strong12 = "ajwq93-FzPlx";
const strong128 =
  "Velvet orbit, 7 quiet lanterns drift past Zanzibar; copper moths hum 42 sonnets while brisk tugboats argue about plum jam & fog!!".slice(
    0,
    128,
  );

function codes(check: { reasons: { code: string }[] }) {
  return check.reasons.map((reason) => reason.code);
}

describe("password policy", () => {
  it("refuses 11 characters and accepts exactly 12", async () => {
    const short = await checkPasswordPolicy(strong12.slice(0, 11), owner);
    expect(short.ok).toBe(false);
    expect(codes(short)).toContain("too_short");
    expect(short.reasons.find((reason) => reason.code === "too_short")?.message).toBe("Use at least 12 characters.");

    expect(await checkPasswordPolicy(strong12, owner)).toEqual({ ok: true, reasons: [] });
  });

  it("accepts exactly 128 characters and refuses 129", async () => {
    expect([...strong128].length).toBe(128);
    expect(await checkPasswordPolicy(strong128, owner)).toEqual({ ok: true, reasons: [] });

    const long = await checkPasswordPolicy(`${strong128}q`, owner);
    expect(long.ok).toBe(false);
    expect(codes(long)).toEqual(["too_long"]);
  });

  it("counts code points after NFKC, not UTF-16 units", async () => {
    // Eleven letters plus the "ﬁ" ligature are twelve typed characters but thirteen after NFKC.
    const check = await checkPasswordPolicy("ajwq93-Fz\uFB01lx", {});
    expect(check.ok).toBe(true);
    // Six astral emoji are twelve UTF-16 units but only six characters.
    expect(codes(await checkPasswordPolicy("🦊🌲🍄🌙🐙🎻", {}))).toContain("too_short");
  });

  it("refuses common passwords", async () => {
    const check = await checkPasswordPolicy("password1234", {});
    expect(check.ok).toBe(false);
    expect(codes(check)).toEqual(["common"]);
    expect(check.reasons[0]?.message).toMatch(/easy to guess/);
  });

  it("refuses the user's email, its local part and the display name", async () => {
    const email = await checkPasswordPolicy("alice.smith@example.com", owner);
    expect(email.ok).toBe(false);
    expect(codes(email)).toContain("contains_personal_info");

    expect(codes(await checkPasswordPolicy("Qz7!ALICE.SMITH-kv", owner))).toContain("contains_personal_info");
    expect(codes(await checkPasswordPolicy("Qz7! alice smith -kv", owner))).toContain("contains_personal_info");
    // Compared after NFKC, so full-width letters do not hide the name.
    expect(codes(await checkPasswordPolicy("Qz7!\uFF21lice Smith-kv", owner))).toContain("contains_personal_info");
    // Without an owner the same password is fine.
    expect(await checkPasswordPolicy("Qz7!ALICE.SMITH-kv", {})).toEqual({ ok: true, reasons: [] });
  });

  it("ignores personal fragments shorter than four characters", async () => {
    const check = await checkPasswordPolicy("ajwq93-FzPlx-bob", { email: "bob@example.com", displayName: "Al" });
    expect(check).toEqual({ ok: true, reasons: [] });
  });

  it("accepts a 64-character emoji passphrase, which then hashes and verifies", async () => {
    const passphrase = Array.from({ length: 64 }, (_, i) => String.fromCodePoint(0x1f400 + i * 3)).join("");
    expect([...passphrase].length).toBe(64);
    expect(await checkPasswordPolicy(passphrase, owner)).toEqual({ ok: true, reasons: [] });
    const hash = await hashPassword(passphrase);
    expect(await verifyPassword(hash, passphrase)).toBe(true);
    expect(await verifyPassword(hash, passphrase.slice(0, -2))).toBe(false);
  });

  it("allows spaces and needs no composition rules", async () => {
    expect(await checkPasswordPolicy("velvet orbit quiet lanterns", {})).toEqual({ ok: true, reasons: [] });
  });
});
