import type { TRPCRouterRecord } from "@trpc/server";
import { verifiedProcedure } from "../../trpc.ts";
import { mailSendProcedures } from "../mail-send/index.ts";
import { listFolders, listThreads, readThread } from "./read.ts";
import { mailFoldersInput, mailThreadInput, mailThreadsInput, mailUpdateInput } from "./schema.ts";
import { updateMail } from "./update.ts";

/** `mail.*` (API.md): the caller's own folders, threads and messages, read and changed. */
export const mailRouter = {
  folders: verifiedProcedure
    .input(mailFoldersInput)
    .query(({ ctx, input }) => listFolders({ ctx, userId: ctx.user.id }, input)),
  threads: verifiedProcedure
    .input(mailThreadsInput)
    .query(({ ctx, input }) => listThreads({ ctx, userId: ctx.user.id }, input)),
  thread: verifiedProcedure
    .input(mailThreadInput)
    .query(({ ctx, input }) => readThread({ ctx, userId: ctx.user.id }, input)),
  update: verifiedProcedure
    .input(mailUpdateInput)
    .mutation(({ ctx, input }) => updateMail({ ctx, userId: ctx.user.id }, input)),
  // saveDraft, send, cancelSend, attachmentUrl
  ...mailSendProcedures,
} satisfies TRPCRouterRecord;
