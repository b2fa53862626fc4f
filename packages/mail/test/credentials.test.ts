import { generateEncryptionKey, parseEncryptionKey } from "@tidings/auth";
import { describe, expect, it } from "vitest";
import { openMailCredentials, sealMailCredentials } from "../src/index.ts";

describe("sealed mail credentials (S23)", () => {
  const key = parseEncryptionKey(generateEncryptionKey());
  const owner = { userId: "3f1c2a4e-0000-4000-8000-000000000001", email: "Ann@Example.test" };
  const credentials = { imapPassword: "imap-secret-123", smtpPassword: "smtp-secret-456" };

  it("seals both passwords so that neither shows, and opens them again", () => {
    const sealed = sealMailCredentials(key, owner, credentials);
    expect(sealed).not.toContain("secret");
    expect(openMailCredentials(key, { ...owner, email: "ann@example.test" }, sealed)).toEqual(credentials);
  });

  it("does not open for another account, or under another key", () => {
    const sealed = sealMailCredentials(key, owner, credentials);
    expect(() => openMailCredentials(key, { ...owner, email: "bob@example.test" }, sealed)).toThrow(/sealed secret/);
    expect(() =>
      openMailCredentials(key, { ...owner, userId: "3f1c2a4e-0000-4000-8000-000000000002" }, sealed),
    ).toThrow();
    expect(() => openMailCredentials(parseEncryptionKey(generateEncryptionKey()), owner, sealed)).toThrow();
  });
});
