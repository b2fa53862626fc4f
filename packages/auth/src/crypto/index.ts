export { ENCRYPTION_KEY_BYTES, generateEncryptionKey, parseEncryptionKey } from "./encryption-key.ts";
export { openSecret, sealSecret } from "./sealed-secret.ts";
