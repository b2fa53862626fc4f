import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@tidings/client";
import { useState } from "react";
import { generalMessage } from "../../api/app-error.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { EmailAddress } from "../../components/EmailAddress.tsx";
import { FormError, SubmitButton } from "../../components/form-parts.tsx";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, Badge, Button, Card, FieldLabel, TextField } from "../../components/ui.tsx";
import { showServerError, useSchemaForm } from "../../forms/schema-form.ts";
import { createInvitationInput } from "../../forms/schemas.ts";
import { formatDateTime, timeAgo } from "../../lib/format-time.ts";
import { useTRPC } from "../../trpc.ts";

type Invitation = RouterOutputs["admin"]["invitations"]["list"]["items"][number];
type Notice = { tone: "success" | "error"; text: string };

const statusBadges = {
  pending: { tone: "accent", label: "Pending" },
  accepted: { tone: "success", label: "Accepted" },
  revoked: { tone: "neutral", label: "Revoked" },
  expired: { tone: "warning", label: "Expired" },
} as const satisfies Record<Invitation["status"], { tone: string; label: string }>;

export function AdminInvitationsPage() {
  const trpc = useTRPC();
  const [notice, setNotice] = useState<Notice | undefined>();
  const invitations = useInfiniteQuery({
    ...trpc.admin.invitations.list.infiniteQueryOptions(
      { limit: 20 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
    staleTime: 0,
  });
  const items = invitations.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeading description="Invite people by email. Each link works once, for 7 days.">Invitations</PageHeading>
      <InviteForm onNotice={setNotice} />
      {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}
      <Card className="grid gap-4">
        <h2 className="text-lg font-semibold">Sent invitations</h2>
        {invitations.isError && <Alert tone="error">{generalMessage(invitations.error)}</Alert>}
        {invitations.isPending ? (
          <p className="text-muted">Loading…</p>
        ) : items.length === 0 ? (
          <p className="text-muted">No invitations yet.</p>
        ) : (
          <ul className="divide-y divide-line" data-testid="invitation-list">
            {items.map((invitation) => (
              <InvitationRow key={invitation.id} invitation={invitation} onNotice={setNotice} />
            ))}
          </ul>
        )}
        {invitations.hasNextPage && (
          <div>
            <Button
              variant="secondary"
              busy={invitations.isFetchingNextPage}
              onClick={() => void invitations.fetchNextPage()}
            >
              Show more invitations
            </Button>
          </div>
        )}
      </Card>
    </>
  );
}

function InviteForm({ onNotice }: { onNotice: (notice: Notice | undefined) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useSchemaForm(createInvitationInput, { email: "", role: "user" });
  const invite = useMutation(
    trpc.admin.invitations.create.mutationOptions({
      onMutate: () => onNotice(undefined),
      onSuccess: ({ expiresAt }, input) => {
        onNotice({
          tone: "success",
          text: `Invitation sent to ${input.email.trim()}. The link is valid until ${formatDateTime(expiresAt)}.`,
        });
        form.reset({ email: "", role: input.role });
      },
      onError: (error) => showServerError(form, error),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.admin.invitations.list.pathKey() }),
    }),
  );
  const onSubmit = form.handleSubmit((input) => invite.mutate(input));
  const { errors } = form.formState;

  return (
    <Card>
      <form className="grid gap-5" onSubmit={onSubmit} noValidate aria-labelledby="invite-heading">
        <h2 id="invite-heading" className="text-lg font-semibold">
          Invite someone
        </h2>
        <div className="grid gap-5 sm:grid-cols-[1fr_12rem]">
          <TextField
            id="invite-email"
            type="email"
            label="Email address"
            autoComplete="off"
            placeholder="grace@example.com"
            error={errors.email?.message}
            {...form.register("email")}
          />
          <div className="grid content-start gap-1.5">
            <FieldLabel htmlFor="invite-role">Role</FieldLabel>
            <select
              id="invite-role"
              className="w-full rounded-lg border border-line bg-surface px-3 py-2.5 text-base text-fg sm:text-sm"
              {...form.register("role")}
            >
              <option value="user">User</option>
              <option value="admin">Admin</option>
            </select>
          </div>
        </div>
        <FormError message={errors.root?.server?.message} />
        <div>
          <SubmitButton busy={invite.isPending}>Send invitation</SubmitButton>
        </div>
      </form>
    </Card>
  );
}

function InvitationRow({ invitation, onNotice }: { invitation: Invitation; onNotice: (notice: Notice) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.admin.invitations.revoke.mutationOptions({
      onSuccess: () => onNotice({ tone: "success", text: `The invitation to ${invitation.email} is revoked.` }),
      onError: (error) => onNotice({ tone: "error", text: generalMessage(error) }),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.admin.invitations.list.pathKey() }),
    }),
  );
  const badge = statusBadges[invitation.status];
  const when =
    invitation.status === "accepted" && invitation.acceptedAt
      ? `Accepted ${timeAgo(invitation.acceptedAt)}`
      : invitation.status === "revoked" && invitation.revokedAt
        ? `Revoked ${timeAgo(invitation.revokedAt)}`
        : invitation.status === "expired"
          ? `Expired ${formatDateTime(invitation.expiresAt)}`
          : `Expires ${formatDateTime(invitation.expiresAt)}`;

  return (
    <li className="grid gap-3 py-4 md:grid-cols-[1fr_auto] md:items-center" data-testid="invitation-row">
      <div className="grid min-w-0 gap-1">
        <p className="flex flex-wrap items-center gap-2 font-medium">
          <EmailAddress email={invitation.email} />
          <Badge tone={badge.tone}>{badge.label}</Badge>
          {invitation.role === "admin" && <Badge tone="accent">Admin</Badge>}
        </p>
        <p className="text-sm text-muted">
          Sent {formatDateTime(invitation.createdAt)}
          {invitation.invitedBy ? ` by ${invitation.invitedBy.email}` : ""} · {when}
        </p>
      </div>
      {invitation.status === "pending" && (
        <div>
          <ConfirmDialog
            trigger={
              <Button variant="danger" aria-label={`Revoke the invitation to ${invitation.email}`}>
                Revoke
              </Button>
            }
            title={`Revoke the invitation to ${invitation.email}?`}
            description="The link in the email stops working at once. You can invite the address again later."
            confirmLabel="Revoke invitation"
            onConfirm={() => revoke.mutateAsync({ invitationId: invitation.id }).catch(() => {})}
          />
        </div>
      )}
    </li>
  );
}
