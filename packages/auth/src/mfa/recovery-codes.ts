import { randomBytes } from "node:crypto";
import { hashToken } from "../opaque-token.ts";

export const RECOVERY_CODE_COUNT = 10;

// Crockford's base32 alphabet: no I, L, O or U, so a code read off paper is typed right.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** 128 random bits (S33) as 26 base32 characters, grouped for reading: `xxxxx-xxxxx-...`. */
export function generateRecoveryCode(): string {
  const bytes = randomBytes(17); // 136 bits read, 130 used: 26 characters of 5 bits
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{1,5}/g)?.join("-") ?? out;
}

export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
}

/**
 * What is stored: a hash of the code as typed, with case, spaces and dashes ignored. The codes
 * carry 128 random bits, so a fast hash is enough (no guessing dictionary exists).
 */
export function hashRecoveryCode(code: string): string {
  const canonical = code
    .toLowerCase()
    .replace(/[\s-]+/g, "")
    .replace(/[il]/g, "1")
    .replace(/o/g, "0");
  return hashToken(`recovery:${canonical}`);
}
