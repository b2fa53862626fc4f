import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateEncryptionKey, openSecret, parseEncryptionKey, sealSecret } from "../src/crypto/index.ts";

const key = parseEncryptionKey(generateEncryptionKey());

/** Flips one bit in one base64url part of a sealed value. */
function flipBit(sealed: string, partIndex: number, byteIndex = 0): string {
  const parts = sealed.split(".");
  const bytes = Buffer.from(parts[partIndex] ?? "", "base64url");
  bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ 0x01;
  parts[partIndex] = bytes.toString("base64url");
  return parts.join(".");
}

describe("parseEncryptionKey and generateEncryptionKey", () => {
  it("read back a generated key as 32 bytes", () => {
    const encoded = generateEncryptionKey();
    expect(Buffer.from(encoded, "base64")).toHaveLength(32);
    expect(parseEncryptionKey(encoded)).toEqual(Buffer.from(encoded, "base64"));
    expect(parseEncryptionKey(` ${encoded}\n`)).toEqual(Buffer.from(encoded, "base64"));
    expect(generateEncryptionKey()).not.toBe(encoded);
  });

  it("refuses anything but base64 of exactly 32 bytes, without echoing it", () => {
    const cases: [string, RegExp][] = [
      ["", /non-base64/],
      [randomBytes(16).toString("base64"), /decodes to 16/],
      [randomBytes(33).toString("base64"), /decodes to 33/],
      [
        `${randomBytes(32).toString("base64").slice(0, 20)}!!${randomBytes(32).toString("base64").slice(22)}`,
        /non-base64/,
      ],
      ["correct horse battery staple and more words", /non-base64/],
    ];
    for (const [input, message] of cases) {
      expect(() => parseEncryptionKey(input)).toThrow(message);
      try {
        parseEncryptionKey(input);
      } catch (error) {
        if (input) expect(String(error)).not.toContain(input);
      }
    }
  });
});

describe("sealSecret and openSecret", () => {
  it("round-trip text, including empty and non-ASCII", () => {
    for (const plaintext of ["JBSWY3DPEHPK3PXP", "", "päss wörd 🔑", "x".repeat(100_000)]) {
      expect(openSecret(key, sealSecret(key, plaintext))).toBe(plaintext);
      expect(openSecret(key, sealSecret(key, plaintext, "user:1:totp"), "user:1:totp")).toBe(plaintext);
    }
  });

  it('write "v1.<iv>.<ciphertext>.<tag>" with a 12-byte IV and 16-byte tag, no plaintext', () => {
    const sealed = sealSecret(key, "JBSWY3DPEHPK3PXP");
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain("JBSWY3DPEHPK3PXP");
  });

  it("use a fresh IV every time", () => {
    const ivs = new Set<string>();
    const sealedValues = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const sealed = sealSecret(key, "same secret");
      sealedValues.add(sealed);
      ivs.add(sealed.split(".")[1] ?? "");
    }
    expect(ivs.size).toBe(2000);
    expect(sealedValues.size).toBe(2000);
  });

  it("detect a flipped bit in the IV, ciphertext or tag", () => {
    const sealed = sealSecret(key, "JBSWY3DPEHPK3PXP", "ad");
    for (const [part, byte] of [
      [1, 0],
      [1, 11],
      [2, 0],
      [2, 15],
      [3, 0],
      [3, 15],
    ] as const) {
      expect(() => openSecret(key, flipBit(sealed, part, byte), "ad")).toThrow(/failed authentication/);
    }
  });

  it("refuse the wrong key", () => {
    const sealed = sealSecret(key, "secret");
    const otherKey = parseEncryptionKey(generateEncryptionKey());
    expect(() => openSecret(otherKey, sealed)).toThrow(/failed authentication/);
  });

  it("refuse the wrong or missing associated data", () => {
    const sealed = sealSecret(key, "secret", "user:1:totp");
    expect(() => openSecret(key, sealed, "user:2:totp")).toThrow(/failed authentication/);
    expect(() => openSecret(key, sealed)).toThrow(/failed authentication/);
    expect(() => openSecret(key, sealSecret(key, "secret"), "user:1:totp")).toThrow(/failed authentication/);
  });

  it("refuse malformed values, a truncated tag among them", () => {
    const sealed = sealSecret(key, "secret");
    const [version, iv, ciphertext, tag] = sealed.split(".");
    const malformed = [
      "",
      "secret",
      `v2.${iv}.${ciphertext}.${tag}`,
      `${version}.${iv}.${ciphertext}`,
      `${sealed}.extra`,
      `${version}.${iv}.${ciphertext}.${tag?.slice(0, 6)}`,
      `${version}.${iv?.slice(0, 8)}.${ciphertext}.${tag}`,
      `${version}.${iv}.${ciphertext}!.${tag}`,
    ];
    for (const value of malformed) {
      expect(() => openSecret(key, value)).toThrow(/malformed/);
    }
  });

  it("refuse a key that is not 32 bytes", () => {
    expect(() => sealSecret(randomBytes(16), "secret")).toThrow(/32 bytes/);
    expect(() => openSecret(randomBytes(16), sealSecret(key, "secret"))).toThrow(/32 bytes/);
  });

  it("never put the plaintext or value in an error", () => {
    const sealed = sealSecret(key, "the-plaintext");
    const otherKey = parseEncryptionKey(generateEncryptionKey());
    try {
      openSecret(otherKey, sealed);
    } catch (error) {
      expect(String(error)).not.toContain(sealed.split(".")[2]);
    }
  });
});
