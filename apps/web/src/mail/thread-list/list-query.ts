import { useInfiniteQuery } from "@tanstack/react-query";
import type { RouterOutputs } from "@tidings/client";
import { useMemo } from "react";
import { useTRPC } from "../../trpc.ts";
import type { Role } from "../folder-names.ts";
import { mailRefetch } from "../live-updates.ts";
import { flattenPages } from "./list-patch.ts";

export type Thread = RouterOutputs["mail"]["threads"]["items"][number];
export type ThreadPage = RouterOutputs["mail"]["threads"];
export type Priority = "high" | "normal" | "low";

/** The /mail search params that choose which threads the list shows (router.tsx validates them). */
export interface ThreadListSearch {
  folder?: string | undefined;
  account?: string | undefined;
  q?: string | undefined;
  unread?: boolean | undefined;
  starred?: boolean | undefined;
  attachments?: boolean | undefined;
  needsReply?: boolean | undefined;
  priority?: Priority | undefined;
  sort?: "date" | "priority" | undefined;
}

// The largest page mail.threads gives: fewer round trips while scrolling through thousands.
const PAGE_SIZE = 100;
const POLLED_PAGES = 3;

/** mail.threads' `filter` for these search params. */
export function listFilter(search: ThreadListSearch) {
  return {
    ...(search.unread ? { unread: true } : {}),
    ...(search.starred ? { starred: true } : {}),
    ...(search.attachments ? { hasAttachments: true } : {}),
    ...(search.needsReply ? { needsReply: true } : {}),
    ...(search.priority ? { priority: search.priority } : {}),
  };
}

export function hasListFilter(search: ThreadListSearch): boolean {
  return Object.keys(listFilter(search)).length > 0;
}

/** The threads of a folder, role, account or search, page by page (keyset cursor). */
export function useThreadList(search: ThreadListSearch, role: Role | undefined) {
  const trpc = useTRPC();
  const filter = listFilter(search);
  const input = {
    ...(search.account ? { accountId: search.account } : {}),
    ...(search.folder ? { folderId: search.folder } : {}),
    ...(role ? { role } : {}),
    ...(search.q ? { query: search.q } : {}),
    ...(Object.keys(filter).length ? { filter } : {}),
    ...(search.sort === "priority" ? { sort: "priority" as const } : {}),
    limit: PAGE_SIZE,
  };
  const threads = useInfiniteQuery(
    trpc.mail.threads.infiniteQueryOptions(input, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      ...mailRefetch,
      // A refetch reloads every loaded page in turn: the timed safety net stops once someone has
      // scrolled deep (live events patch the threads they name; window focus still refreshes all).
      refetchInterval: (query) =>
        (query.state.data?.pages.length ?? 0) > POLLED_PAGES ? false : mailRefetch.refetchInterval,
    }),
  );
  const items = useMemo(() => flattenPages(threads.data), [threads.data]);
  return { threads, items };
}
