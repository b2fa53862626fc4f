import { describe, expect, it } from "vitest";
import { offeredPresets, presetForEmail, providerPresets } from "../src/index.ts";

describe("provider presets", () => {
  it("lists the providers API.md names, each once", () => {
    expect(providerPresets.map((preset) => preset.id)).toEqual([
      "gmail",
      "outlook",
      "icloud",
      "yahoo",
      "fastmail",
      "proton-bridge",
      "gmx",
      "zoho",
      "custom",
    ]);
    const domains = providerPresets.flatMap((preset) => preset.domains);
    expect(new Set(domains).size).toBe(domains.length);
  });

  it("finds the preset by the address's domain, case-insensitively", () => {
    expect(presetForEmail("Someone@GMail.com")?.id).toBe("gmail");
    expect(presetForEmail("a@googlemail.com")?.imap).toEqual({ host: "imap.gmail.com", port: 993, security: "tls" });
    expect(presetForEmail("a@hotmail.com")?.oauth).toBe("microsoft");
    expect(presetForEmail("a@me.com.")?.id).toBe("icloud");
    expect(presetForEmail("a@company.example")).toBeUndefined();
    expect(presetForEmail("not-an-address")).toBeUndefined();
  });

  it("offers OAuth only for a configured provider, and otherwise says how to make an app password", () => {
    const none = offeredPresets({ google: false, microsoft: false });
    expect(none.every((preset) => preset.oauth === null)).toBe(true);
    const gmail = none.find((preset) => preset.id === "gmail");
    expect(gmail?.help).toMatch(/app password/);
    expect(gmail?.help).not.toMatch(/Sign in with Google/);

    const google = offeredPresets({ google: true, microsoft: false });
    expect(google.find((preset) => preset.id === "gmail")).toMatchObject({ oauth: "google" });
    expect(google.find((preset) => preset.id === "gmail")?.help).toMatch(
      /^Sign in with Google, or instead: .*app password/,
    );
    expect(google.find((preset) => preset.id === "outlook")?.oauth).toBeNull();
    expect(offeredPresets({ google: false, microsoft: true }).find((p) => p.id === "outlook")?.oauth).toBe("microsoft");
    // Every preset keeps a help text of its own.
    expect(none.every((preset) => preset.help.length > 20)).toBe(true);
  });
});
