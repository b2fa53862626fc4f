import { useMutation } from "@tanstack/react-query";
import { sessionStore } from "../../auth/session-store.ts";
import { useUser } from "../../auth/use-session.ts";
import { EmailAddress } from "../../components/EmailAddress.tsx";
import { FormError, SubmitButton } from "../../components/form-parts.tsx";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, Badge, Card, TextField } from "../../components/ui.tsx";
import { showServerError, useSchemaForm } from "../../forms/schema-form.ts";
import { updateProfileInput } from "../../forms/schemas.ts";
import { formatDateTime } from "../../lib/format-time.ts";
import { useTRPC } from "../../trpc.ts";

export function ProfilePage() {
  const trpc = useTRPC();
  const user = useUser();
  const form = useSchemaForm(updateProfileInput, { displayName: user.displayName ?? "" });
  const save = useMutation(
    trpc.account.updateProfile.mutationOptions({
      onSuccess: (updated) => sessionStore.updateUser(updated),
      onError: (error) => showServerError(form, error),
    }),
  );
  const onSubmit = form.handleSubmit((input) => save.mutate(input));

  return (
    <>
      <PageHeading description="How you appear in Tidings and in the emails it sends you.">Profile</PageHeading>
      <Card>
        <form className="grid gap-5" onSubmit={onSubmit} noValidate>
          <TextField
            id="profile-name"
            label="Display name"
            autoComplete="name"
            error={form.formState.errors.displayName?.message}
            // "Saved" belongs to what was saved: typing again takes it away.
            {...form.register("displayName", { onChange: () => save.reset() })}
          />
          <div className="grid gap-1.5">
            <p className="text-sm font-medium">Email</p>
            <p className="flex flex-wrap items-center gap-2">
              <EmailAddress email={user.email} className="min-w-0" />
              {user.emailVerified ? <Badge tone="success">Verified</Badge> : <Badge tone="warning">Unverified</Badge>}
            </p>
          </div>
          <p className="text-sm text-muted">Member since {formatDateTime(user.createdAt)}</p>
          <FormError message={form.formState.errors.root?.server?.message} />
          {save.isSuccess && <Alert tone="success">Profile saved.</Alert>}
          <div>
            <SubmitButton busy={save.isPending}>Save changes</SubmitButton>
          </div>
        </form>
      </Card>
    </>
  );
}
