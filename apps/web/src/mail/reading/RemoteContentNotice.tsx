import { useMutation, useQueryClient } from "@tanstack/react-query";
import { generalMessage } from "../../api/app-error.ts";
import { Button } from "../../components/ui.tsx";
import { useTRPC } from "../../trpc.ts";
import { mailKeys } from "../live-updates.ts";

/**
 * Remote images are blocked so the sender cannot see the mail was opened (S26). The user may load
 * them for this message, or always for this sender (kept on the server, for every device).
 */
export function RemoteContentNotice({
  sender,
  shown,
  always,
  onLoadOnce,
}: {
  sender: string;
  shown: boolean;
  always: boolean;
  onLoadOnce: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const setSender = useMutation(
    trpc.mail.remoteContentSender.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: mailKeys.thread }),
    }),
  );
  const error = setSender.isError && (
    <p role="alert" className="w-full text-danger">
      {generalMessage(setSender.error)}
    </p>
  );
  if (always) {
    return (
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted" data-testid="remote-content">
        <span>Remote images from {sender} always load.</span>
        <button
          type="button"
          className="font-semibold text-link hover:underline"
          disabled={setSender.isPending}
          onClick={() => setSender.mutate({ sender, always: false })}
        >
          Stop loading them
        </button>
        {error}
      </div>
    );
  }
  if (shown) {
    // Loaded for this message only: the sender may still be trusted for good.
    return (
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted" data-testid="remote-content">
        <span>Remote images loaded for this message.</span>
        <button
          type="button"
          className="font-semibold text-link hover:underline"
          disabled={setSender.isPending}
          onClick={() => setSender.mutate({ sender, always: true })}
        >
          Always from this sender
        </button>
        {error}
      </div>
    );
  }
  return (
    <div
      className="flex flex-wrap items-center gap-2 rounded-lg bg-surface-muted px-3 py-2 text-sm"
      data-testid="remote-content"
    >
      <span className="min-w-0 flex-1 basis-60 text-muted">
        Remote images are hidden so the sender cannot see that you opened this.
      </span>
      <span className="flex flex-wrap gap-2">
        <Button variant="secondary" className="px-3 py-1.5" onClick={onLoadOnce}>
          Load remote images
        </Button>
        <Button
          variant="ghost"
          className="px-3 py-1.5"
          busy={setSender.isPending}
          onClick={() => setSender.mutate({ sender, always: true })}
        >
          Always from this sender
        </Button>
      </span>
      {error}
    </div>
  );
}
