import { setRemoteContentSender } from "@tidings/db";
import type { z } from "zod";
import type { InnerContext } from "../../context.ts";
import type { mailRemoteContentSenderInput } from "./schema.ts";

/**
 * "Always load remote images from this sender" (S26 allows remote content for a message or a
 * sender the user chose): from then on mail.thread shows that sender's messages with theirs.
 */
export async function setRemoteContentSenderFor(
  { ctx, userId }: { ctx: InnerContext; userId: string },
  input: z.infer<typeof mailRemoteContentSenderInput>,
) {
  const sender = input.sender.toLowerCase();
  await setRemoteContentSender(ctx.db, userId, sender, input.always);
  return { sender, always: input.always };
}
