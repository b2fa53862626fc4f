export { resolveEncryptionKey } from "./encryption-key-file.ts";
export { loadKeyRing } from "./key-ring-loader.ts";
