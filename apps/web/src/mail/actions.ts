import { type InfiniteData, type QueryKey, useMutation, useQueryClient } from "@tanstack/react-query";
import type { RouterInputs, RouterOutputs } from "@tidings/client";
import { useCallback } from "react";
import { generalMessage } from "../api/app-error.ts";
import { useTRPC, useTRPCClient } from "../trpc.ts";
import { mailKeys, patchLists } from "./live-updates.ts";
import { useToasts } from "./toasts.tsx";

type ThreadPage = RouterOutputs["mail"]["threads"];
type ThreadDetail = RouterOutputs["mail"]["thread"];
export type MailChange = Omit<RouterInputs["mail"]["update"], "messageIds"> & { threadIds: string[] };

/** What the lists look like once the change is made, before the server has answered. */
function patchPages(data: InfiniteData<ThreadPage> | undefined, change: MailChange) {
  if (!data?.pages) return data;
  const ids = new Set(change.threadIds);
  return {
    ...data,
    pages: data.pages.map((page) => ({
      ...page,
      items: page.items
        .filter((thread) => !(change.moveTo && ids.has(thread.id)))
        .map((thread) => {
          if (!ids.has(thread.id)) return thread;
          return {
            ...thread,
            ...(change.seen === undefined ? {} : { unread: change.seen ? 0 : Math.max(1, thread.unread) }),
            ...(change.flagged === undefined ? {} : { starred: change.flagged }),
          };
        }),
    })),
  };
}

function patchThread(data: ThreadDetail | undefined, change: MailChange) {
  if (!data || !change.threadIds.includes(data.id)) return data;
  return {
    ...data,
    messages: data.messages.map((message, index, all) => ({
      ...message,
      flags: {
        ...message.flags,
        ...(change.seen === undefined
          ? {}
          : // Marking a thread unread marks its newest message, as mail clients do.
            { seen: change.seen ? true : index === all.length - 1 ? false : message.flags.seen }),
        ...(change.flagged === undefined ? {} : { flagged: change.flagged }),
      },
    })),
  };
}

/**
 * Changes threads at once on screen (optimistic), then on the server; when the server refuses, the
 * screen goes back to what it was and a toast says why. `done` names the change for a toast, which
 * offers `undo` when given.
 */
export function useMailActions() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const toasts = useToasts();
  const update = useMutation(trpc.mail.update.mutationOptions());

  const apply = useCallback(
    async (change: MailChange, options: { done?: string; undo?: MailChange; failed?: string } = {}) => {
      await queryClient.cancelQueries({ queryKey: mailKeys.threads });
      const before: [QueryKey, unknown][] = [
        ...queryClient.getQueriesData({ queryKey: mailKeys.threads }),
        ...queryClient.getQueriesData({ queryKey: mailKeys.thread }),
      ];
      queryClient.setQueriesData<InfiniteData<ThreadPage>>({ queryKey: mailKeys.threads }, (data) =>
        patchPages(data, change),
      );
      queryClient.setQueriesData<ThreadDetail>({ queryKey: mailKeys.thread }, (data) => patchThread(data, change));
      try {
        await update.mutateAsync(change);
        if (options.done) {
          const undo = options.undo;
          toasts.show({
            message: options.done,
            ...(undo ? { action: { label: "Undo", run: () => void apply(undo, { done: "Undone" }) } } : {}),
          });
        }
      } catch (error) {
        for (const [queryKey, data] of before) queryClient.setQueryData(queryKey, data);
        toasts.show({
          tone: "error",
          message: `${options.failed ?? "That change was not saved"}: ${generalMessage(error)}`,
        });
      } finally {
        void queryClient.invalidateQueries({ queryKey: mailKeys.folders });
        // Only the changed threads are asked for again, not every loaded page of every list.
        void patchLists(queryClient, change.threadIds, (input) => client.mail.threads.query(input));
      }
    },
    [client, queryClient, toasts, update],
  );

  return {
    apply,
    archive: (threadIds: string[]) =>
      apply(
        { threadIds, moveTo: { role: "archive" } },
        {
          done: threadIds.length > 1 ? `${threadIds.length} conversations archived` : "Archived",
          undo: { threadIds, moveTo: { role: "inbox" } },
          failed: "Could not archive",
        },
      ),
    trash: (threadIds: string[]) =>
      apply(
        { threadIds, moveTo: { role: "trash" } },
        { done: "Moved to Trash", undo: { threadIds, moveTo: { role: "inbox" } }, failed: "Could not delete" },
      ),
    moveToFolder: (threadIds: string[], folderId: string, name: string) =>
      apply({ threadIds, moveTo: { folderId } }, { done: `Moved to ${name}`, failed: "Could not move" }),
    setSeen: (threadIds: string[], seen: boolean, quiet = false) =>
      apply(
        { threadIds, seen },
        quiet
          ? { failed: "Could not mark as read" }
          : { done: seen ? "Marked as read" : "Marked as unread", failed: "Could not change read state" },
      ),
    setFlagged: (threadIds: string[], flagged: boolean) =>
      apply({ threadIds, flagged }, { failed: flagged ? "Could not star" : "Could not remove the star" }),
  };
}
