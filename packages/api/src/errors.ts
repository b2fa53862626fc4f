import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

/** The app codes of API.md; every error response carries one as `data.appCode`. */
export const appCodes = {
  INVALID_INPUT: "BAD_REQUEST",
  INVALID_CREDENTIALS: "UNAUTHORIZED",
  EMAIL_NOT_VERIFIED: "FORBIDDEN",
  WEAK_PASSWORD: "BAD_REQUEST",
  TOKEN_INVALID: "UNAUTHORIZED",
  TOKEN_EXPIRED: "UNAUTHORIZED",
  SESSION_REVOKED: "UNAUTHORIZED",
  REFRESH_TOKEN_REUSED: "UNAUTHORIZED",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  MAIL_AUTH_FAILED: "BAD_REQUEST",
  MAIL_CONNECTION_FAILED: "BAD_REQUEST",
  HOST_NOT_ALLOWED: "BAD_REQUEST",
  MFA_REQUIRED: "UNAUTHORIZED",
  MFA_INVALID: "UNAUTHORIZED",
  AI_BUDGET_EXCEEDED: "FORBIDDEN",
  AI_PROVIDER_ERROR: "BAD_GATEWAY",
  AI_DISABLED: "FORBIDDEN",
  INTERNAL: "INTERNAL_SERVER_ERROR",
} as const satisfies Record<string, TRPC_ERROR_CODE_KEY>;

export type AppCode = keyof typeof appCodes;

/** An error meant for the caller: its message and extra data are safe to show. */
export class AppError extends TRPCError {
  constructor(
    readonly appCode: AppCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super({ code: appCodes[appCode], message });
    this.name = "AppError";
  }
}

/** The app code for an error that is not an AppError, from its tRPC code. */
export function appCodeForTrpcCode(code: TRPC_ERROR_CODE_KEY): AppCode {
  switch (code) {
    case "BAD_REQUEST":
    case "PARSE_ERROR":
    case "PAYLOAD_TOO_LARGE":
    case "UNPROCESSABLE_CONTENT":
    case "UNSUPPORTED_MEDIA_TYPE":
      return "INVALID_INPUT";
    case "UNAUTHORIZED":
      return "TOKEN_INVALID";
    case "FORBIDDEN":
      return "FORBIDDEN";
    case "NOT_FOUND":
    case "METHOD_NOT_SUPPORTED":
      return "NOT_FOUND";
    case "TOO_MANY_REQUESTS":
      return "RATE_LIMITED";
    default:
      return "INTERNAL";
  }
}
