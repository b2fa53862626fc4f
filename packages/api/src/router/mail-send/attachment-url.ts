import { countMailUploads, findReceivedAttachment } from "@tidings/db";
import { ATTACHMENT_URL_TTL_MS, signAttachmentToken } from "@tidings/mail";
import type { z } from "zod";
import type { Context } from "../../context.ts";
import { AppError } from "../../errors.ts";
import type { attachmentUrlInput } from "./schema.ts";

/**
 * A download URL for one of the caller's uploads or received attachments: a signed token naming
 * the attachment and the user, valid 5 minutes (S28). Another user's id is NOT_FOUND (S27).
 */
export async function attachmentUrl(ctx: Context, userId: string, input: z.output<typeof attachmentUrlInput>) {
  const kind =
    (await countMailUploads(ctx.db, userId, [input.attachmentId])) === 1
      ? ("upload" as const)
      : (await findReceivedAttachment(ctx.db, userId, input.attachmentId))
        ? ("received" as const)
        : undefined;
  if (!kind) throw new AppError("NOT_FOUND", "No such attachment");
  const expiresAt = new Date(Date.now() + ATTACHMENT_URL_TTL_MS);
  const token = signAttachmentToken(ctx.auth.sessions.encryptionKey, {
    kind,
    attachmentId: input.attachmentId,
    userId,
    expiresAt,
  });
  return { url: new URL(`/attachments/${token}`, ctx.config.appUrl).toString(), expiresAt };
}
