import { describe, expect, it } from "vitest";
import { presetForEmail, providerPresets } from "../src/index.ts";

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
});
