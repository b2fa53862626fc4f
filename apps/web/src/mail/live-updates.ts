import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@tidings/client";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "../trpc.ts";
import { useHighPriorityNotifications } from "./notifications.ts";

// Everything that keeps the mail screens current lives here: the live connection (mail.events over
// SSE, resumed with its last event id after a drop) marks what each event changed as stale, and the
// queries also refetch on window focus and on a modest interval (`mailRefetch`) as a safety net.

/** What one `mail.events` message carries: the server's event type, inferred through the client. */
type MailEventEnvelope = RouterOutputs["mail"]["events"] extends AsyncIterable<infer Envelope> ? Envelope : never;
export type MailEvent = MailEventEnvelope extends { data: infer Event } ? Event : never;

/**
 * tRPC query keys start with the procedure path as an array (`[["mail", "threads"], …]`): matching
 * on it refreshes every cached variant (each folder, search and page) of that procedure.
 */
const procedureKey = (...path: string[]) => [path];

export const mailKeys = {
  threads: procedureKey("mail", "threads"),
  thread: procedureKey("mail", "thread"),
  folders: procedureKey("mail", "folders"),
  accounts: procedureKey("mailAccount", "list"),
  overview: procedureKey("mail", "overview"),
};

/** A safety net under the live connection: often enough to feel current, rare enough to stay cheap. */
export const mailRefetch = {
  refetchOnWindowFocus: true,
  refetchInterval: 30_000,
} as const;

/** Marks what a mail event changed as stale, so the screens showing it refetch. */
export function invalidateForMailEvent(queryClient: QueryClient, event: MailEvent): Promise<void> {
  const refresh = (...keys: unknown[][]) =>
    Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey }))).then(() => undefined);
  switch (event.type) {
    case "message.new":
    case "thread.removed":
    case "action.failed":
      return refresh(mailKeys.threads, mailKeys.folders, mailKeys.thread, mailKeys.overview);
    case "thread.updated":
    case "analysis.ready":
      return refresh(mailKeys.threads, mailKeys.thread, mailKeys.overview);
    case "folder.counts":
      applyFolderCounts(queryClient, event);
      return refresh(mailKeys.folders, mailKeys.overview);
    case "account.status":
      return refresh(mailKeys.accounts, mailKeys.folders, mailKeys.threads, mailKeys.overview);
    case "outgoing.status":
      return refresh(mailKeys.threads, mailKeys.folders);
  }
}

type FolderCounts = Extract<MailEvent, { type: "folder.counts" }>;
type CachedFolders = RouterOutputs["mail"]["folders"];

/**
 * Writes a folder's new counts into every cached folder list at once, so what shows them (the tab
 * title, the folder list) changes with the event rather than after the refetch it also causes.
 */
export function applyFolderCounts(queryClient: QueryClient, event: FolderCounts): void {
  queryClient.setQueriesData<CachedFolders>({ queryKey: mailKeys.folders }, (folders) =>
    folders?.map((folder) =>
      folder.id === event.folderId ? { ...folder, unread: event.unread, total: event.total } : folder,
    ),
  );
}

/** Unread messages in the inboxes of every account, as the cached folder list says. */
export function inboxUnread(folders: CachedFolders | undefined): number {
  return (folders ?? []).filter((folder) => folder.role === "inbox").reduce((sum, folder) => sum + folder.unread, 0);
}

/** After the user changed mail here: every list, count and open thread is refetched. */
export function invalidateAllMail(queryClient: QueryClient): Promise<void> {
  return Promise.all(
    [mailKeys.threads, mailKeys.thread, mailKeys.folders, mailKeys.accounts, mailKeys.overview].map((queryKey) =>
      queryClient.invalidateQueries({ queryKey }),
    ),
  ).then(() => undefined);
}

/** Keeps the mail screens current from the server's events while they are open. */
export function useMailEvents(enabled: boolean): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notify = useHighPriorityNotifications();
  useSubscription(
    trpc.mail.events.subscriptionOptions(
      {},
      {
        enabled,
        onData: ({ data: event }) => {
          void invalidateForMailEvent(queryClient, event);
          if (event.type === "analysis.ready") void notify(event);
        },
      },
    ),
  );
}
