import { type InfiniteData, type QueryKey, useMutation, useQueryClient } from "@tanstack/react-query";
import { correctionReasons } from "@tidings/api/schemas";
import type { RouterInputs } from "@tidings/client";
import { useCallback } from "react";
import { generalMessage } from "../../api/app-error.ts";
import { useTRPC } from "../../trpc.ts";
import { mailKeys } from "../live-updates.ts";
import { useToasts } from "../toasts.tsx";
import type { Thread, ThreadPage } from "./list-query.ts";

export type AiCorrection = Omit<RouterInputs["ai"]["feedback"], "messageId">;

/** The lists as they look once the correction is made: the thread's marks and reasons replaced. */
function patchMarks(data: InfiniteData<ThreadPage> | undefined, threadId: string, correction: AiCorrection) {
  if (!data?.pages) return data;
  return {
    ...data,
    pages: data.pages.map((page) => ({
      ...page,
      items: page.items.map((thread) =>
        thread.id === threadId && thread.ai
          ? {
              ...thread,
              ai: {
                ...thread.ai,
                ...(correction.priority ? { priority: correction.priority } : {}),
                ...(correction.category ? { category: correction.category } : {}),
                ...(correction.needsReply === undefined ? {} : { needsReply: correction.needsReply }),
                reasons: correctionReasons(correction),
              },
            }
          : thread,
      ),
    })),
  };
}

/**
 * "Correct this": the marks change on screen at once, then `ai.feedback` tells the server (which
 * keeps the correction and learns from it); if it refuses, the marks go back and a toast says why.
 */
export function useAiCorrection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toasts = useToasts();
  // mutateAsync is stable, so rows given this callback need not re-render.
  const { mutateAsync: sendFeedback } = useMutation(trpc.ai.feedback.mutationOptions());
  return useCallback(
    async (thread: Thread, correction: AiCorrection) => {
      const messageId = thread.ai?.messageId;
      if (!messageId) return;
      await queryClient.cancelQueries({ queryKey: mailKeys.threads });
      const before: [QueryKey, unknown][] = queryClient.getQueriesData({ queryKey: mailKeys.threads });
      queryClient.setQueriesData<InfiniteData<ThreadPage>>({ queryKey: mailKeys.threads }, (data) =>
        patchMarks(data, thread.id, correction),
      );
      try {
        await sendFeedback({ messageId, ...correction });
        toasts.show({ message: "Corrected. Tidings learns from this." });
      } catch (error) {
        for (const [queryKey, data] of before) queryClient.setQueryData(queryKey, data);
        toasts.show({ tone: "error", message: `Could not save the correction: ${generalMessage(error)}` });
      } finally {
        void queryClient.invalidateQueries({ queryKey: mailKeys.threads });
        void queryClient.invalidateQueries({ queryKey: mailKeys.thread });
      }
    },
    [queryClient, toasts, sendFeedback],
  );
}
