import type { TRPCRouterRecord } from "@trpc/server";
import { verifiedProcedure } from "../../trpc.ts";
import { mailSendProcedures } from "../mail-send/index.ts";
import { listMailContacts } from "./contacts.ts";
import { mailEventStream } from "./events.ts";
import { mailContactsInput, mailForgetSearchInput, mailRecordSearchInput } from "./lookup-schema.ts";
import { mailOverview } from "./overview.ts";
import { listFolders, listThreads, readThread } from "./read.ts";
import { forgetSearch, recentSearches, recordSearch } from "./recent-searches.ts";
import { setRemoteContentSenderFor } from "./remote-content.ts";
import {
  mailEventsInput,
  mailFoldersInput,
  mailRemoteContentSenderInput,
  mailThreadInput,
  mailThreadsInput,
  mailUpdateInput,
} from "./schema.ts";
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
  remoteContentSender: verifiedProcedure
    .input(mailRemoteContentSenderInput)
    .mutation(({ ctx, input }) => setRemoteContentSenderFor({ ctx, userId: ctx.user.id }, input)),
  /** The dashboard's summary; notes the visit, so the next one knows what arrived since. */
  overview: verifiedProcedure.query(({ ctx }) => mailOverview({ ctx, userId: ctx.user.id })),
  update: verifiedProcedure
    .input(mailUpdateInput)
    .mutation(({ ctx, input }) => updateMail({ ctx, userId: ctx.user.id }, input)),
  /** Server-sent events of the caller's own mail (the bus is per user), resumable by event id. */
  events: verifiedProcedure.input(mailEventsInput).subscription(({ ctx, input, signal }) =>
    mailEventStream({
      bus: ctx.mailEvents,
      userId: ctx.user.id,
      lastEventId: input.lastEventId,
      signal,
      shutdown: ctx.shutdown,
    }),
  ),
  /** Address autocomplete: the caller's correspondents matching what is typed. */
  contacts: verifiedProcedure
    .input(mailContactsInput)
    .query(({ ctx, input }) => listMailContacts({ ctx, userId: ctx.user.id }, input)),
  recentSearches: verifiedProcedure.query(({ ctx }) => recentSearches({ ctx, userId: ctx.user.id })),
  recordSearch: verifiedProcedure
    .input(mailRecordSearchInput)
    .mutation(({ ctx, input }) => recordSearch({ ctx, userId: ctx.user.id }, input)),
  forgetSearch: verifiedProcedure
    .input(mailForgetSearchInput)
    .mutation(({ ctx, input }) => forgetSearch({ ctx, userId: ctx.user.id }, input)),
  // saveDraft, send, cancelSend, attachmentUrl
  ...mailSendProcedures,
} satisfies TRPCRouterRecord;
