import { randomBytes } from "node:crypto";

/** AES-256 needs exactly this many key bytes. */
export const ENCRYPTION_KEY_BYTES = 32;

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Reads the secrets-encryption key from its base64 environment form. Messages never echo the key. */
export function parseEncryptionKey(base64: string): Buffer {
  const trimmed = base64.trim();
  // Buffer.from silently skips characters outside the alphabet, which would hide a mangled key.
  if (!BASE64.test(trimmed)) {
    throw new Error(
      `encryption key must be base64 of ${ENCRYPTION_KEY_BYTES} bytes; it contains non-base64 characters`,
    );
  }
  const key = Buffer.from(trimmed, "base64");
  if (key.length !== ENCRYPTION_KEY_BYTES) {
    throw new Error(
      `encryption key must be base64 of ${ENCRYPTION_KEY_BYTES} bytes (AES-256); it decodes to ${key.length}`,
    );
  }
  return key;
}

export function generateEncryptionKey(): string {
  return randomBytes(ENCRYPTION_KEY_BYTES).toString("base64");
}
