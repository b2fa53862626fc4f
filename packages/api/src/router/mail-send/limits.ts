import type { RateLimitRule } from "@tidings/auth";
import type { Context } from "../../context.ts";
import { AppError } from "../../errors.ts";

/**
 * Per-user sending limits (S29): one attempt per message against RATE_LIMIT_SEND and one per
 * recipient against RATE_LIMIT_SEND_RECIPIENTS, counted together in one call to the shared limiter.
 */
export async function consumeSendLimits(ctx: Context, userId: string, recipients: number): Promise<void> {
  const { send, sendRecipients } = ctx.config.mail.rateLimits;
  const messageRule: RateLimitRule = { name: "mailSend", ...send };
  const recipientRule: RateLimitRule = { name: "mailSendRecipients", ...sendRecipients };
  const key = `user:${userId}`;
  // Looked at first, so a message that cannot fit does not use up the recipients it would have had.
  const room = await ctx.rateLimiter.peek(recipientRule, key);
  // A peek counts nothing, so `remaining` is the free room itself.
  if (recipients > (room.allowed ? room.remaining : 0)) {
    throw limited(
      `Too many recipients: at most ${sendRecipients.limit} per ${describeWindow(sendRecipients.windowSeconds)}.`,
      // When it is allowed at all, the wait for enough room is at most a window.
      room.allowed ? sendRecipients.windowSeconds : room.retryAfterSeconds,
    );
  }
  const refused = await ctx.rateLimiter.consumeEach([
    { rule: messageRule, key },
    ...Array.from({ length: recipients }, () => ({ rule: recipientRule, key })),
  ]);
  if (!refused) return;
  const what =
    refused.index === 0
      ? `Too many messages sent: at most ${send.limit} per ${describeWindow(send.windowSeconds)}.`
      : `Too many recipients: at most ${sendRecipients.limit} per ${describeWindow(sendRecipients.windowSeconds)}.`;
  throw limited(what, refused.result.retryAfterSeconds);
}

function limited(message: string, retryAfterSeconds: number): AppError {
  const wait = retryAfterSeconds < 60 ? `${retryAfterSeconds} seconds` : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
  return new AppError("RATE_LIMITED", `${message} Try again in ${wait}.`, { retryAfterSeconds });
}

function describeWindow(seconds: number): string {
  if (seconds === 3600) return "hour";
  if (seconds % 3600 === 0) return `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}
