export * from "./recovery-codes.ts";
export * from "./totp.ts";
