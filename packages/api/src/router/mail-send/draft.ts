import { insertMailDraft, updateMailDraft } from "@tidings/db";
import { newMessageId, outgoingHtml } from "@tidings/mail";
import type { z } from "zod";
import type { Context } from "../../context.ts";
import { AppError } from "../../errors.ts";
import { assertOwnUploads, assertSafeHeaders, fromAddress, ownAccount, ownParent } from "./compose.ts";
import type { saveDraftInput } from "./schema.ts";

/**
 * Stores the draft in our table at once, and queues its copy in the account's Drafts folder (the
 * job replaces the server copy of the previous save).
 */
export async function saveDraft(ctx: Context, userId: string, input: z.output<typeof saveDraftInput>) {
  const account = await ownAccount(ctx, userId, input.accountId);
  assertSafeHeaders(fromAddress(account), input);
  const parent = await ownParent(ctx, userId, input.inReplyTo, "inReplyTo");
  await assertOwnUploads(ctx, userId, input.attachmentIds);
  const content = {
    accountId: account.id,
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    subject: input.subject,
    text: input.text,
    html: outgoingHtml(input.html ?? null),
    replyToMessageId: parent?.id ?? null,
    attachmentIds: input.attachmentIds,
  };
  const draft = input.draftId
    ? await updateMailDraft(ctx.db, userId, input.draftId, content)
    : await insertMailDraft(ctx.db, { ...content, userId, messageId: newMessageId(account.email) });
  if (!draft) throw new AppError("NOT_FOUND", "No such draft", { field: "draftId" });
  await ctx.jobs.enqueue("mail-send", "draft", { draftId: draft.id }, { jobId: `${draft.id}-${draft.revision}` });
  return { draftId: draft.id };
}
