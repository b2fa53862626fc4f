import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { generalMessage } from "../../api/app-error.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { DevicesIcon, PhoneIcon } from "../../components/icons.tsx";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, Badge, Button, Card } from "../../components/ui.tsx";
import { formatDateTime, timeAgo } from "../../lib/format-time.ts";
import { describeUserAgent } from "../../lib/user-agent.ts";
import { useTRPC } from "../../trpc.ts";

export function SessionsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Always fresh: this page is where people check who is signed in right now.
  const sessions = useQuery({ ...trpc.session.list.queryOptions(), staleTime: 0, refetchOnMount: "always" });
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | undefined>();
  const refreshList = () => queryClient.invalidateQueries({ queryKey: trpc.session.list.queryKey() });

  const revoke = useMutation(
    trpc.session.revoke.mutationOptions({
      onSuccess: () => setNotice({ tone: "success", text: "That device has been signed out." }),
      onError: (error) => setNotice({ tone: "error", text: generalMessage(error) }),
      onSettled: refreshList,
    }),
  );
  const revokeOthers = useMutation(
    trpc.session.revokeOthers.mutationOptions({
      onSuccess: ({ revoked }) =>
        setNotice({
          tone: "success",
          text: revoked === 1 ? "Signed out 1 other session." : `Signed out ${revoked} other sessions.`,
        }),
      onError: (error) => setNotice({ tone: "error", text: generalMessage(error) }),
      onSettled: refreshList,
    }),
  );

  const others = sessions.data?.filter((session) => !session.current).length ?? 0;
  // This device first, then the rest newest first as the server sends them.
  const ordered = sessions.data?.toSorted((a, b) => Number(b.current) - Number(a.current));

  return (
    <>
      <PageHeading description="Devices signed in to your account. Sign out any you do not recognise.">
        Active sessions
      </PageHeading>
      {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}
      <Card className="grid gap-4">
        <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
          <p className="text-sm text-muted">
            {sessions.data ? `${sessions.data.length} active session${sessions.data.length === 1 ? "" : "s"}` : "…"}
          </p>
          <ConfirmDialog
            trigger={
              <Button variant="danger" disabled={others === 0}>
                Sign out everywhere else
              </Button>
            }
            title="Sign out all other sessions?"
            description="Every other device and browser signed in to your account will be signed out. This one stays signed in."
            confirmLabel="Sign out others"
            onConfirm={() => revokeOthers.mutateAsync()}
          />
        </div>
        {sessions.isError && <Alert tone="error">{generalMessage(sessions.error)}</Alert>}
        <ul className="divide-y divide-line" data-testid="session-list">
          {ordered?.map((session) => {
            const device = describeUserAgent(session.userAgent);
            const DeviceIcon = device.kind === "phone" ? PhoneIcon : DevicesIcon;
            const label = `${device.browser} on ${device.os}`;
            return (
              <li
                key={session.id}
                className="flex flex-col gap-3 py-4 sm:flex-row sm:items-center"
                data-testid="session"
              >
                <span className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-surface-muted text-muted">
                  <DeviceIcon />
                </span>
                <div className="grid min-w-0 flex-1 gap-0.5">
                  <p className="flex flex-wrap items-center gap-2 font-medium">
                    {label}
                    {session.current && <Badge tone="success">This device</Badge>}
                  </p>
                  <p className="text-sm text-muted">
                    {session.ip ?? "Unknown address"} · Last active{" "}
                    <time dateTime={session.lastUsedAt.toISOString()} title={formatDateTime(session.lastUsedAt)}>
                      {timeAgo(session.lastUsedAt)}
                    </time>
                  </p>
                  <p className="text-sm text-muted">Signed in {formatDateTime(session.createdAt)}</p>
                </div>
                {!session.current && (
                  <ConfirmDialog
                    trigger={
                      <Button
                        variant="secondary"
                        aria-label={`Sign out ${label}, last active ${timeAgo(session.lastUsedAt)}`}
                      >
                        Sign out
                      </Button>
                    }
                    title={`Sign out ${label}?`}
                    description={`${label} (${session.ip ?? "unknown address"}) will have to sign in again.`}
                    confirmLabel="Sign out device"
                    onConfirm={() => revoke.mutateAsync({ sessionId: session.id })}
                  />
                )}
              </li>
            );
          })}
        </ul>
      </Card>
    </>
  );
}
