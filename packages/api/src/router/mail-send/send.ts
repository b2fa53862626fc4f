import { cancelMailOutgoing, findMailDraft, insertMailOutgoing, markMailOutgoingFailed } from "@tidings/db";
import { queueReplyLesson } from "@tidings/jobs";
import { newMessageId, outgoingHtml } from "@tidings/mail";
import type { z } from "zod";
import type { Context } from "../../context.ts";
import { AppError } from "../../errors.ts";
import { answerShape, assertOwnUploads, assertSafeHeaders, fromAddress, ownAccount, ownParent } from "./compose.ts";
import { consumeSendLimits } from "./limits.ts";
import type { cancelSendInput, sendMailInput } from "./schema.ts";

/**
 * Queues a message: a row in mail_outgoing and a job delayed until the undo window has passed
 * (MAIL_UNDO_SECONDS, or the later `sendAt`). The worker sends it through the account's SMTP.
 */
export async function sendMail(ctx: Context, userId: string, input: z.output<typeof sendMailInput>) {
  const account = await ownAccount(ctx, userId, input.accountId);
  const from = fromAddress(account);
  assertSafeHeaders(from, input);
  if (input.draftId && !(await findMailDraft(ctx.db, userId, input.draftId))) {
    throw new AppError("NOT_FOUND", "No such draft", { field: "draftId" });
  }
  const reply = await ownParent(ctx, userId, input.inReplyTo, "inReplyTo");
  const forward = await ownParent(ctx, userId, input.forwardOf, "forwardOf");
  await assertOwnUploads(ctx, userId, input.attachmentIds);
  const shaped = answerShape(input, { reply, forward });
  assertSafeHeaders(from, { ...input, subject: shaped.subject });

  await consumeSendLimits(ctx, userId, input.to.length + input.cc.length + input.bcc.length);

  const now = Date.now();
  const earliest = now + ctx.config.mail.undoSeconds * 1000;
  const sendAt = new Date(Math.max(earliest, input.sendAt?.getTime() ?? 0));
  const row = await insertMailOutgoing(ctx.db, {
    userId,
    accountId: account.id,
    draftId: input.draftId ?? null,
    sendAt,
    messageId: newMessageId(account.email),
    from,
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    subject: shaped.subject,
    text: shaped.text,
    html: outgoingHtml(input.html ?? null),
    inReplyTo: shaped.inReplyTo,
    references: shaped.references,
    replyToMessageId: reply?.id ?? null,
    forwardOfMessageId: forward?.id ?? null,
    attachmentIds: input.attachmentIds,
  });
  try {
    await ctx.jobs.enqueue(
      "mail-send",
      "send",
      { outgoingId: row.id },
      { jobId: row.id, delayMs: sendAt.getTime() - now },
    );
  } catch (error) {
    // Not queued means never sent: say so on the row rather than leave it "queued" for ever.
    await markMailOutgoingFailed(ctx.db, row.id, "Could not be queued", true).catch(() => {});
    throw error;
  }
  // A reply teaches the local model that the message needed one (best effort: the mail is queued).
  if (reply) await queueReplyLesson(ctx.db, userId, reply.id).catch(() => {});
  return { outgoingId: row.id, status: "queued" as const, sendAt };
}

/** Stops a message inside its undo window; afterwards, or for another user's id, NOT_FOUND. */
export async function cancelSend(ctx: Context, userId: string, input: z.output<typeof cancelSendInput>) {
  if (!(await cancelMailOutgoing(ctx.db, userId, input.outgoingId))) {
    throw new AppError("NOT_FOUND", "No message waiting to be sent with this id (the undo window may have passed)");
  }
  return { status: "cancelled" as const };
}
