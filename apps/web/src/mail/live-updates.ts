import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import type { RouterInputs, RouterOutputs } from "@tidings/client";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC, useTRPCClient } from "../trpc.ts";
import { useHighPriorityNotifications } from "./notifications.ts";
import { type ListPages, patchPages, removeThreads } from "./thread-list/list-patch.ts";

type ThreadPage = RouterOutputs["mail"]["threads"];

// Everything that keeps the mail screens current lives here: the live connection (mail.events over
// SSE, resumed with its last event id after a drop) patches or refetches what each event changed,
// and the queries also refetch on window focus and on a modest interval (`mailRefetch`) as a safety net.

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

/** Fetches the current summaries of `threadIds` among those a list's input matches (mail.threads). */
export type ListedThreads = (input: ThreadsInput & { threadIds: string[] }) => Promise<ThreadPage>;

/**
 * Brings the screens up to date with what a mail event changed, as precisely as the event allows:
 * an open list asks only for the threads the event named (one small request, however many pages
 * are loaded) and puts them in place, or takes them out when they left it; a deleted thread is
 * taken out without asking; counts are written in from `folder.counts`. What is not on screen is
 * only marked stale, to refetch when it shows.
 */
export function applyMailEvent(queryClient: QueryClient, event: MailEvent, listed: ListedThreads): Promise<void> {
  const refresh = (...keys: unknown[][]) =>
    Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey }))).then(() => undefined);
  switch (event.type) {
    case "message.new":
      return Promise.all([
        patchListsSoon(queryClient, [event.threadId], listed),
        refreshThreads(queryClient, [event.threadId]),
        // A folder the list of folders does not know yet (its counts come with folder.counts).
        knowsFolder(queryClient, event.folderId) ? undefined : refresh(mailKeys.folders),
        refresh(mailKeys.overview),
      ]).then(() => undefined);
    case "thread.updated":
    case "analysis.ready":
      return Promise.all([
        patchListsSoon(queryClient, [event.threadId], listed),
        refreshThreads(queryClient, [event.threadId]),
        refresh(mailKeys.overview),
      ]).then(() => undefined);
    case "action.failed":
      return Promise.all([
        patchListsSoon(queryClient, event.threadIds, listed),
        refreshThreads(queryClient, event.threadIds),
        refresh(mailKeys.folders, mailKeys.overview),
      ]).then(() => undefined);
    case "thread.removed":
      queryClient.setQueriesData<ListPages>({ queryKey: mailKeys.threads, predicate: isList }, (data) =>
        data ? removeThreads(data, [event.threadId]) : data,
      );
      return Promise.all([refreshThreads(queryClient, [event.threadId]), refresh(mailKeys.overview)]).then(
        () => undefined,
      );
    case "folder.counts":
      applyFolderCounts(queryClient, event);
      return refresh(mailKeys.overview);
    case "account.status":
      return refresh(mailKeys.accounts, mailKeys.folders, mailKeys.threads, mailKeys.overview);
    case "outgoing.status":
      return refresh(mailKeys.threads, mailKeys.folders);
  }
}

type ThreadsInput = RouterInputs["mail"]["threads"] & object;
type ThreadsQuery = ReturnType<ReturnType<QueryClient["getQueryCache"]>["findAll"]>[number];

/** A cached thread list (`useInfiniteQuery` of mail.threads) rather than a single page. */
const isList = (query: ThreadsQuery) => (query.queryKey[1] as { type?: string } | undefined)?.type === "infinite";
const listInput = (query: ThreadsQuery) =>
  ((query.queryKey[1] as { input?: ThreadsInput }).input ?? {}) as ThreadsInput;

// Events that arrive together (a new message's message.new and thread.updated, say) make one request.
let soon: { threadIds: Set<string>; done: Promise<void> } | undefined;

/** `patchLists` for these threads and any named by events in the same moment (one task later). */
function patchListsSoon(queryClient: QueryClient, threadIds: readonly string[], listed: ListedThreads): Promise<void> {
  if (soon) {
    for (const id of threadIds) soon.threadIds.add(id);
    return soon.done;
  }
  const batch = new Set(threadIds);
  const done = new Promise<void>((resolve) =>
    setTimeout(() => {
      soon = undefined;
      void patchLists(queryClient, [...batch], listed).then(resolve);
    }, 0),
  );
  soon = { threadIds: batch, done };
  return done;
}

// The latest patch asked for each list and thread: an older answer arriving later is not applied.
const latestPatch = new Map<string, number>();
let patches = 0;

/**
 * Patches every open thread list for these threads (one mail.threads request per open list, with
 * `threadIds`); lists not on screen are marked stale instead. An answer is applied once the list is
 * not loading (a page or refetch in flight would otherwise overwrite it with what it started with).
 */
export async function patchLists(
  queryClient: QueryClient,
  threadIds: readonly string[],
  listed: ListedThreads,
): Promise<void> {
  const unique = [...new Set(threadIds)];
  // mail.threads takes at most 100 ids at once.
  if (unique.length > 100) {
    await Promise.all([
      patchLists(queryClient, unique.slice(0, 100), listed),
      patchLists(queryClient, unique.slice(100), listed),
    ]);
    return;
  }
  const named = unique;
  if (!named.length) return;
  const lists = queryClient.getQueryCache().findAll({ queryKey: mailKeys.threads });
  await Promise.all(
    lists.map(async (query) => {
      if (!isList(query) || !query.state.data || query.getObserversCount() === 0) {
        await queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true, refetchType: "none" });
        return;
      }
      const patch = ++patches;
      for (const id of named) latestPatch.set(`${query.queryHash}\u0000${id}`, patch);
      const input = listInput(query);
      let fresh: ThreadPage;
      try {
        fresh = await listed({ ...input, threadIds: named, limit: 100 });
      } catch {
        // The list stays as it was; the safety net (focus, interval) or the next event brings it round.
        return;
      }
      const current = named.filter((id) => latestPatch.get(`${query.queryHash}\u0000${id}`) === patch);
      for (const id of current) latestPatch.delete(`${query.queryHash}\u0000${id}`);
      if (!current.length) return;
      await untilIdle(query);
      const keep = new Set(current);
      queryClient.setQueryData<ListPages>(query.queryKey, (data) =>
        data
          ? patchPages(
              data,
              current,
              fresh.items.filter((thread) => keep.has(thread.id)),
              input.sort ?? "date",
            )
          : data,
      );
    }),
  );
}

/** Resolves once the query is not fetching (at once when it is not). */
function untilIdle(query: ThreadsQuery): Promise<void> {
  if (query.state.fetchStatus !== "fetching") return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (query.state.fetchStatus === "fetching") return;
      clearInterval(timer);
      resolve();
    };
    // The query cache has no per-query "settled" promise; a short poll is plenty for a rare race.
    const timer = setInterval(check, 20);
  });
}

/** The open conversations among these threads are refetched (only the one in view actually asks). */
function refreshThreads(queryClient: QueryClient, threadIds: readonly string[]): Promise<void> {
  const named = new Set(threadIds);
  return queryClient.invalidateQueries({
    queryKey: mailKeys.thread,
    predicate: (query) =>
      named.has((query.queryKey[1] as { input?: { threadId?: string } } | undefined)?.input?.threadId ?? ""),
  });
}

function knowsFolder(queryClient: QueryClient, folderId: string): boolean {
  return queryClient
    .getQueriesData<CachedFolders>({ queryKey: mailKeys.folders })
    .some(([, folders]) => folders?.some((folder) => folder.id === folderId));
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
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const notify = useHighPriorityNotifications();
  useSubscription(
    trpc.mail.events.subscriptionOptions(
      {},
      {
        enabled,
        onData: ({ data: event }) => {
          void applyMailEvent(queryClient, event, (input) => client.mail.threads.query(input));
          if (event.type === "analysis.ready") void notify(event);
        },
      },
    ),
  );
}
