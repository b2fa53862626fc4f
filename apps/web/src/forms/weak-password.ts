import type { AppErrorData } from "../api/app-error.ts";

/** WEAK_PASSWORD carries the policy's reasons; each is already a sentence meant for people. */
export function weakPasswordMessage(data: AppErrorData): string {
  const reasons = data.reasons?.map((reason) => reason.message).filter(Boolean) ?? [];
  return reasons.length ? reasons.join(" ") : "Choose a stronger password.";
}
