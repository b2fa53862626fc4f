import type { TRPCRouterRecord } from "@trpc/server";
import { attachmentUrlInput, cancelSendInput, saveDraftInput, sendMailInput } from "../../schemas.ts";
import { verifiedProcedure } from "../../trpc.ts";
import { attachmentUrl } from "./attachment-url.ts";
import { saveDraft } from "./draft.ts";
import { cancelSend, sendMail } from "./send.ts";

/** Sending, drafts and attachment downloads; spread into the `mail` router. */
export const mailSendProcedures = {
  saveDraft: verifiedProcedure.input(saveDraftInput).mutation(({ ctx, input }) => saveDraft(ctx, ctx.user.id, input)),
  send: verifiedProcedure.input(sendMailInput).mutation(({ ctx, input }) => sendMail(ctx, ctx.user.id, input)),
  cancelSend: verifiedProcedure
    .input(cancelSendInput)
    .mutation(({ ctx, input }) => cancelSend(ctx, ctx.user.id, input)),
  attachmentUrl: verifiedProcedure
    .input(attachmentUrlInput)
    .query(({ ctx, input }) => attachmentUrl(ctx, ctx.user.id, input)),
} satisfies TRPCRouterRecord;
