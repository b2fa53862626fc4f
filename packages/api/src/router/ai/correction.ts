import type { z } from "zod";
import type { aiFeedbackInput } from "./schema.ts";

type Correction = Pick<z.output<typeof aiFeedbackInput>, "priority" | "category" | "needsReply">;

/** Why a corrected analysis says what it says now: the user said so (shown with the marks). */
export function correctionReasons(correction: Correction): string[] {
  const reasons: string[] = [];
  if (correction.priority) reasons.push(`You marked this ${correction.priority} priority`);
  if (correction.category) reasons.push(`You filed this under ${correction.category}`);
  if (correction.needsReply !== undefined) {
    reasons.push(correction.needsReply ? "You said this needs a reply" : "You said this needs no reply");
  }
  return reasons;
}
