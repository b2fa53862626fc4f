import type { AppCode } from "@tidings/api";

export type { AppCode };

import { TRPCClientError } from "@tidings/client";

/** What the server's error formatter puts in `error.data` (API.md). */
export interface AppErrorData {
  appCode?: AppCode;
  issues?: { path: string[]; message: string }[];
  reasons?: { code: string; message: string }[];
  retryAfterSeconds?: number;
}

export function appErrorData(error: unknown): AppErrorData {
  if (error instanceof TRPCClientError && error.data && typeof error.data === "object") {
    return error.data as AppErrorData;
  }
  return {};
}

export function appCodeOf(error: unknown): AppCode | undefined {
  return appErrorData(error).appCode;
}

/** "45 seconds", "3 minutes": the wait a RATE_LIMITED answer asks for. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** "Try again in 3 minutes.": the end of every RATE_LIMITED message. */
export function tryAgainIn(data: AppErrorData): string {
  return `Try again in ${describeWait(data.retryAfterSeconds ?? 60)}.`;
}

/** A message for errors no form field owns. */
export function generalMessage(error: unknown): string {
  const data = appErrorData(error);
  switch (data.appCode) {
    case "RATE_LIMITED":
      return `Too many attempts. ${tryAgainIn(data)}`;
    case "FORBIDDEN":
      return "You are not allowed to do that.";
    case "NOT_FOUND":
      return "That item no longer exists.";
    case "INTERNAL":
    case undefined:
      return error instanceof TRPCClientError && !data.appCode
        ? "Could not reach the server. Check your connection and try again."
        : "Something went wrong on our side. Please try again.";
    default:
      return error instanceof Error ? error.message : "Something went wrong.";
  }
}
