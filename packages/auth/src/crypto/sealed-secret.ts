import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ENCRYPTION_KEY_BYTES } from "./encryption-key.ts";

const FORMAT_VERSION = "v1";
const CIPHER = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Encrypts a secret for storage as "v1.<iv>.<ciphertext>.<tag>" (base64url), AES-256-GCM with a random IV.
 * Associated data binds the ciphertext to its context (say, the row it belongs to) so it cannot be moved
 * elsewhere; an empty string and no associated data are the same context.
 */
export function sealSecret(key: Buffer, plaintext: string, associatedData?: string): string {
  assertKeyLength(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  if (associatedData !== undefined) {
    cipher.setAAD(Buffer.from(associatedData, "utf8"));
  }
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [FORMAT_VERSION, ...[iv, ciphertext, tag].map((part) => part.toString("base64url"))].join(".");
}

/** Decrypts what {@link sealSecret} produced; throws on a tampered value, the wrong key or the wrong associated data. */
export function openSecret(key: Buffer, sealed: string, associatedData?: string): string {
  assertKeyLength(key);
  const { iv, ciphertext, tag } = parseSealed(sealed);
  // authTagLength pins the tag to 16 bytes; GCM would otherwise accept a truncated, forgeable tag.
  const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  if (associatedData !== undefined) {
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
  }
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new Error("sealed secret failed authentication: tampered, or the wrong key or associated data");
  }
}

function parseSealed(sealed: string): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const [version, iv, ciphertext, tag, ...extra] = sealed.split(".");
  if (version !== FORMAT_VERSION || iv === undefined || ciphertext === undefined || tag === undefined || extra.length) {
    throw new Error(`sealed secret is malformed: expected "${FORMAT_VERSION}.<iv>.<ciphertext>.<tag>"`);
  }
  if (![iv, ciphertext, tag].every((part) => BASE64URL.test(part))) {
    throw new Error("sealed secret is malformed: a part is not base64url");
  }
  const parts = {
    iv: Buffer.from(iv, "base64url"),
    ciphertext: Buffer.from(ciphertext, "base64url"),
    tag: Buffer.from(tag, "base64url"),
  };
  if (parts.iv.length !== IV_BYTES || parts.tag.length !== TAG_BYTES) {
    throw new Error("sealed secret is malformed: wrong IV or tag length");
  }
  return parts;
}

function assertKeyLength(key: Buffer): void {
  if (key.length !== ENCRYPTION_KEY_BYTES) {
    throw new Error(`encryption key must be ${ENCRYPTION_KEY_BYTES} bytes (AES-256), got ${key.length}`);
  }
}
