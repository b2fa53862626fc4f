import {
  findMailAccount,
  findMailFolder,
  findMailThread,
  InvalidCursorError,
  listMailFoldersWithCounts,
  listMailThreadDetails,
  listMailThreadMessages,
  listMailThreads,
  listReadyAnalysesOf,
  remoteContentSendersAmong,
} from "@tidings/db";
import { parseSearchQuery, type SearchQuery, SearchQueryError } from "@tidings/mail";
import type { z } from "zod";
import type { InnerContext } from "../../context.ts";
import { AppError } from "../../errors.ts";
import type { mailFoldersInput, mailThreadInput, mailThreadsInput } from "./schema.ts";
import { folderView, messageView, threadSummaryView } from "./views.ts";

type Caller = { ctx: InnerContext; userId: string };

/** An input problem the caller can fix, with the field named as schema errors name it. */
export function invalidField(field: string, message: string): AppError {
  return new AppError("INVALID_INPUT", `${field}: ${message}`, { issues: [{ path: [field], message }] });
}

/** S27: an account id that is not the caller's answers NOT_FOUND, as an unknown one does. */
async function requireAccount({ ctx, userId }: Caller, accountId: string | undefined): Promise<void> {
  if (accountId !== undefined && !(await findMailAccount(ctx.db, userId, accountId))) {
    throw new AppError("NOT_FOUND", "No such mail account");
  }
}

export async function listFolders(caller: Caller, input: z.infer<typeof mailFoldersInput>) {
  await requireAccount(caller, input.accountId);
  const folders = await listMailFoldersWithCounts(caller.ctx.db, caller.userId, input.accountId);
  return folders.map(folderView);
}

export async function listThreads(caller: Caller, input: z.infer<typeof mailThreadsInput>) {
  const { ctx, userId } = caller;
  await requireAccount(caller, input.accountId);
  if (input.folderId !== undefined) {
    const folder = await findMailFolder(ctx.db, userId, input.folderId);
    if (!folder) throw new AppError("NOT_FOUND", "No such folder");
  }
  let search: SearchQuery | undefined;
  if (input.query) {
    try {
      search = parseSearchQuery(input.query);
    } catch (error) {
      if (error instanceof SearchQueryError) throw invalidField("query", error.message);
      throw error;
    }
  }
  try {
    const page = await listMailThreads(ctx.db, {
      userId,
      accountId: input.accountId,
      folderId: input.folderId,
      role: input.role,
      search,
      filter: input.filter,
      threadIds: input.threadIds,
      sort: input.sort,
      cursor: input.cursor,
      limit: input.limit,
    });
    const details = await listMailThreadDetails(
      ctx.db,
      page.items.map((thread) => thread.id),
    );
    return {
      items: page.items.map((thread) => threadSummaryView(thread, details.get(thread.id))),
      nextCursor: page.nextCursor,
    };
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw invalidField("cursor", "not a cursor from a previous page of this list");
    throw error;
  }
}

export async function readThread({ ctx, userId }: Caller, input: z.infer<typeof mailThreadInput>) {
  const thread = await findMailThread(ctx.db, userId, input.threadId);
  if (!thread) throw new AppError("NOT_FOUND", "No such thread");
  const messages = await listMailThreadMessages(ctx.db, userId, thread.id);
  const analyses = new Map(
    (
      await listReadyAnalysesOf(
        ctx.db,
        messages.map((message) => message.id),
      )
    ).map((analysis) => [analysis.message_id, analysis]),
  );
  const alwaysFrom = await remoteContentSendersAmong(
    ctx.db,
    userId,
    messages.filter((message) => message.has_remote_content).map((message) => message.from_email),
  );
  const askedFor = new Set(input.loadRemoteFor ?? []);
  // S27: an id that is not one of this thread's messages is refused as an unknown one is.
  const inThread = new Set(messages.map((message) => message.id));
  if ([...askedFor].some((id) => !inThread.has(id))) {
    throw new AppError("NOT_FOUND", "No such message in this thread", { field: "loadRemoteFor" });
  }
  return {
    id: thread.id,
    subject: thread.subject,
    messages: messages.map((message) =>
      messageView(message, analyses.get(message.id), {
        loadRemote: input.loadRemote || askedFor.has(message.id),
        senderAlways: alwaysFrom.has(message.from_email.toLowerCase()),
      }),
    ),
  };
}
