import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { RouterOutputs } from "@tidings/client";
import { useDeferredValue, useState } from "react";
import { generalMessage } from "../../api/app-error.ts";
import { useUser } from "../../auth/use-session.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, Badge, Button, Card, FieldLabel } from "../../components/ui.tsx";
import { formatDateTime, timeAgo } from "../../lib/format-time.ts";
import { useTRPC } from "../../trpc.ts";

type AdminUser = RouterOutputs["admin"]["users"]["list"]["items"][number];

export function AdminUsersPage() {
  const trpc = useTRPC();
  const [query, setQuery] = useState("");
  const deferredQuery = useDeferredValue(query.trim());
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | undefined>();
  const users = useInfiniteQuery({
    ...trpc.admin.users.list.infiniteQueryOptions(
      { query: deferredQuery || undefined, limit: 25 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
    staleTime: 0,
  });
  const items = users.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeading description="Everyone with an account on this server.">Users</PageHeading>
      {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}
      <Card className="grid gap-4">
        <div className="grid gap-1.5">
          <FieldLabel htmlFor="user-search">Search by email or name</FieldLabel>
          <input
            id="user-search"
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder="ada@example.com"
            className="w-full rounded-lg border border-line bg-surface px-3 py-2.5 text-base sm:max-w-sm sm:text-sm"
          />
        </div>
        {users.isError && <Alert tone="error">{generalMessage(users.error)}</Alert>}
        {users.isPending ? (
          <p className="text-muted">Loading…</p>
        ) : items.length === 0 ? (
          <p className="text-muted">No users match “{deferredQuery}”.</p>
        ) : (
          <ul className="divide-y divide-line" data-testid="user-list">
            {items.map((user) => (
              <UserRow key={user.id} user={user} onNotice={setNotice} />
            ))}
          </ul>
        )}
        {users.hasNextPage && (
          <div>
            <Button variant="secondary" busy={users.isFetchingNextPage} onClick={() => void users.fetchNextPage()}>
              Show more users
            </Button>
          </div>
        )}
      </Card>
    </>
  );
}

function UserRow({
  user,
  onNotice,
}: {
  user: AdminUser;
  onNotice: (notice: { tone: "success" | "error"; text: string }) => void;
}) {
  const me = useUser();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const name = user.displayName || user.email;
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.pathKey() });
  const onError = (error: unknown) => onNotice({ tone: "error", text: generalMessage(error) });

  const unlock = useMutation(
    trpc.admin.users.unlock.mutationOptions({
      onSuccess: () => onNotice({ tone: "success", text: `${name} is unlocked and can sign in again.` }),
      onError,
      onSettled: refresh,
    }),
  );
  const setDisabled = useMutation(
    trpc.admin.users.setDisabled.mutationOptions({
      onSuccess: (_, input) =>
        onNotice({ tone: "success", text: input.disabled ? `${name} is disabled.` : `${name} is enabled again.` }),
      onError,
      onSettled: refresh,
    }),
  );
  const revokeSessions = useMutation(
    trpc.admin.users.revokeSessions.mutationOptions({
      onSuccess: ({ revoked }) =>
        onNotice({ tone: "success", text: `Signed ${name} out of ${revoked} session${revoked === 1 ? "" : "s"}.` }),
      onError,
      onSettled: refresh,
    }),
  );
  const isMe = user.id === me.id;

  return (
    <li className="grid gap-3 py-4 md:grid-cols-[1fr_auto] md:items-center" data-testid="user-row">
      <div className="grid min-w-0 gap-1">
        <p className="flex flex-wrap items-center gap-2 font-medium">
          <span className="wrap-anywhere">{name}</span>
          {user.role === "admin" && <Badge tone="accent">Admin</Badge>}
          {!user.emailVerified && <Badge tone="warning">Unverified</Badge>}
          {user.lockedAt && <Badge tone="danger">Locked</Badge>}
          {user.disabledAt && <Badge tone="danger">Disabled</Badge>}
          {isMe && <Badge>You</Badge>}
        </p>
        {user.displayName && <p className="text-sm wrap-anywhere text-muted">{user.email}</p>}
        <p className="text-sm text-muted">
          Joined {formatDateTime(user.createdAt)} · Last sign-in{" "}
          {user.lastLoginAt ? timeAgo(user.lastLoginAt) : "never"}
          {user.lockedAt ? ` · Locked ${timeAgo(user.lockedAt)}` : ""}
        </p>
      </div>
      <div className="flex flex-wrap gap-2">
        {user.lockedAt && (
          <Button
            variant="primary"
            busy={unlock.isPending}
            onClick={() => unlock.mutate({ userId: user.id })}
            aria-label={`Unlock ${name}`}
          >
            Unlock
          </Button>
        )}
        {!isMe && (
          <ConfirmDialog
            trigger={
              <Button variant="secondary" aria-label={`Revoke sessions of ${name}`}>
                Revoke sessions
              </Button>
            }
            title={`Sign ${name} out everywhere?`}
            description="Every device signed in to this account will have to sign in again."
            confirmLabel="Revoke sessions"
            onConfirm={() => revokeSessions.mutateAsync({ userId: user.id })}
          />
        )}
        {!isMe &&
          (user.disabledAt ? (
            <Button
              variant="secondary"
              busy={setDisabled.isPending}
              onClick={() => setDisabled.mutate({ userId: user.id, disabled: false })}
              aria-label={`Enable ${name}`}
            >
              Enable
            </Button>
          ) : (
            <ConfirmDialog
              trigger={
                <Button variant="danger" aria-label={`Disable ${name}`}>
                  Disable
                </Button>
              }
              title={`Disable ${name}?`}
              description="They are signed out everywhere and cannot sign in until you enable the account again."
              confirmLabel="Disable account"
              onConfirm={() => setDisabled.mutateAsync({ userId: user.id, disabled: true })}
            />
          ))}
        <Link
          to="/admin/events"
          search={{ userId: user.id }}
          className="inline-flex items-center rounded-lg px-3 py-2 text-sm font-semibold"
          aria-label={`Events of ${name}`}
        >
          Events
        </Link>
      </div>
    </li>
  );
}
