import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "../trpc.ts";

// Everything that keeps the mail screens current lives here: the live connection (mail.events over
// SSE, resumed with its last event id after a drop) marks what each event changed as stale, and the
// queries also refetch on window focus and on a modest interval (`mailRefetch`) as a safety net.

/** The events of `mail.events` (API.md) this app reacts to; other fields are ignored. */
export type MailEvent =
  | { type: "message.new"; accountId: string; folderId: string; threadId: string; messageId: string }
  | { type: "thread.updated"; accountId: string; threadId: string }
  | { type: "thread.removed"; accountId: string; threadId: string }
  | { type: "folder.counts"; accountId: string; folderId: string; unread: number; total: number }
  | {
      type: "account.status";
      accountId: string;
      status: "connecting" | "syncing" | "ready" | "error" | "paused";
      progress?: { done: number; total: number };
      error?: { code: string; message: string } | null;
    }
  | { type: "analysis.ready"; accountId: string; messageId: string; threadId: string }
  | { type: "outgoing.status"; accountId: string; outgoingId: string; status: "sent" | "failed"; error?: string }
  | { type: "action.failed"; accountId: string; threadIds: string[]; message: string };

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
      return refresh(mailKeys.threads, mailKeys.folders, mailKeys.thread);
    case "thread.updated":
    case "analysis.ready":
      return refresh(mailKeys.threads, mailKeys.thread);
    case "folder.counts":
      return refresh(mailKeys.folders);
    case "account.status":
      return refresh(mailKeys.accounts, mailKeys.folders, mailKeys.threads);
    case "outgoing.status":
      return refresh(mailKeys.threads, mailKeys.folders);
  }
}

/** After the user changed mail here: every list, count and open thread is refetched. */
export function invalidateAllMail(queryClient: QueryClient): Promise<void> {
  return Promise.all(
    [mailKeys.threads, mailKeys.thread, mailKeys.folders, mailKeys.accounts].map((queryKey) =>
      queryClient.invalidateQueries({ queryKey }),
    ),
  ).then(() => undefined);
}

/** Keeps the mail screens current from the server's events while they are open. */
export function useMailEvents(enabled: boolean): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useSubscription(
    trpc.mail.events.subscriptionOptions(
      {},
      { enabled, onData: (tracked) => void invalidateForMailEvent(queryClient, tracked.data as MailEvent) },
    ),
  );
}
