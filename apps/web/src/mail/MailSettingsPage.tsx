import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { RouterOutputs } from "@tidings/client";
import { useEffect, useRef } from "react";
import { generalMessage } from "../api/app-error.ts";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { Alert, Badge, Button, Card, Spinner } from "../components/ui.tsx";
import { formatDateTime } from "../lib/format-time.ts";
import { useTRPC } from "../trpc.ts";
import { inboxUnread, invalidateAllMail } from "./live-updates.ts";
import { NotificationSetting } from "./NotificationSetting.tsx";
import { useToasts } from "./toasts.tsx";
import { useUnreadTitle } from "./unread-title.ts";

type Account = RouterOutputs["mailAccount"]["list"][number];

const statusTone = {
  ready: "success",
  syncing: "accent",
  connecting: "accent",
  paused: "neutral",
  error: "danger",
} as const;
const statusLabel = {
  ready: "Up to date",
  syncing: "Syncing",
  connecting: "Connecting",
  paused: "Paused",
  error: "Error",
};

/** The connected mailboxes: status and errors, pause, resync, remove. */
export function MailSettingsPage() {
  const trpc = useTRPC();
  const accounts = useQuery({ ...trpc.mailAccount.list.queryOptions(), refetchInterval: 5_000 });
  const folders = useQuery(trpc.mail.folders.queryOptions({}));
  useUnreadTitle("Mailboxes", inboxUnread(folders.data));
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto grid w-full max-w-3xl gap-6 px-4 py-8">
        <div className="flex flex-wrap items-end justify-between gap-3">
          <div className="grid gap-1">
            <h1 ref={headingRef} tabIndex={-1} className="text-2xl font-semibold tracking-tight">
              Mailboxes
            </h1>
            <p className="text-muted">The mailboxes Tidings reads and sends through.</p>
          </div>
          <div className="flex gap-2">
            <Link to="/mail" className="rounded-lg px-3 py-2 text-sm font-medium">
              Back to mail
            </Link>
            <Link
              to="/mail/connect"
              className="rounded-lg bg-accent px-4 py-2 text-sm font-semibold text-accent-fg no-underline hover:bg-accent-hover"
            >
              Connect a mailbox
            </Link>
          </div>
        </div>
        {accounts.isPending ? (
          <p className="flex items-center gap-2 text-muted" role="status">
            <Spinner /> Loading…
          </p>
        ) : accounts.isError ? (
          <Alert tone="error">{generalMessage(accounts.error)}</Alert>
        ) : accounts.data.length === 0 ? (
          <Card>No mailbox is connected yet.</Card>
        ) : (
          <ul className="grid gap-4" aria-label="Connected mailboxes">
            {accounts.data.map((account) => (
              <li key={account.id}>
                <AccountCard account={account} />
              </li>
            ))}
          </ul>
        )}
        <NotificationSetting />
      </div>
    </div>
  );
}

function AccountCard({ account }: { account: Account }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toasts = useToasts();
  const done = (message: string) => () => {
    toasts.show({ message });
    void invalidateAllMail(queryClient);
  };
  const failed = (error: unknown) => toasts.show({ tone: "error", message: generalMessage(error) });
  const update = useMutation(trpc.mailAccount.update.mutationOptions({ onError: failed }));
  const resync = useMutation(trpc.mailAccount.resync.mutationOptions({ onError: failed }));
  const remove = useMutation(trpc.mailAccount.remove.mutationOptions());
  const paused = account.status === "paused";
  return (
    <Card className="grid gap-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 className="truncate font-semibold">{account.displayName || account.email}</h2>
          {account.displayName && <p className="truncate text-sm text-muted">{account.email}</p>}
        </div>
        <Badge tone={statusTone[account.status]}>{statusLabel[account.status]}</Badge>
      </div>
      <dl className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-muted">Messages</dt>
          <dd className="font-medium">{account.messageCount}</dd>
        </div>
        <div>
          <dt className="text-muted">Unread</dt>
          <dd className="font-medium">{account.unreadCount}</dd>
        </div>
        <div>
          <dt className="text-muted">Last sync</dt>
          <dd className="font-medium">
            {account.lastSyncAt ? formatDateTime(new Date(account.lastSyncAt)) : "Not yet"}
          </dd>
        </div>
      </dl>
      {account.error && (
        <Alert tone="error">
          {account.error.message}
          <span className="block text-xs opacity-80">{formatDateTime(new Date(account.error.at))}</span>
        </Alert>
      )}
      <div className="flex flex-wrap gap-2">
        <Button
          variant="secondary"
          busy={update.isPending}
          onClick={() =>
            update.mutate(
              { accountId: account.id, paused: !paused },
              { onSuccess: done(paused ? "Syncing resumed" : "Syncing paused") },
            )
          }
        >
          {paused ? "Resume syncing" : "Pause syncing"}
        </Button>
        <Button
          variant="secondary"
          busy={resync.isPending}
          onClick={() => resync.mutate({ accountId: account.id }, { onSuccess: done("A full sync is queued") })}
        >
          Sync again
        </Button>
        <ConfirmDialog
          trigger={<Button variant="danger">Remove</Button>}
          title={`Remove ${account.email}?`}
          description="Tidings deletes its copy of this mailbox: folders, messages, drafts and AI analyses. The mail on your provider's server is not touched."
          confirmLabel="Remove mailbox"
          onConfirm={() =>
            remove
              .mutateAsync({ accountId: account.id })
              .then(done(`${account.email} removed`), (error: unknown) => failed(error))
          }
        />
      </div>
    </Card>
  );
}
