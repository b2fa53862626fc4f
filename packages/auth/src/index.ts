// The authentication core: no tRPC, no Fastify. Each area lives in its own module or folder.
export * from "./audit.ts";
export * from "./crypto/index.ts";
export * from "./email-address.ts";
export * from "./flows/index.ts";
export * from "./jwt/index.ts";
export * from "./keys/index.ts";
export * from "./mfa/index.ts";
export * from "./one-time-tokens.ts";
export * from "./opaque-token.ts";
export * from "./password/index.ts";
export * from "./rate-limit/index.ts";
export * from "./record-audit-event.ts";
export * from "./revocation.ts";
export * from "./sessions.ts";
