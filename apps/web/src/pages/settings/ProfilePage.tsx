import { useState } from "react";
import { apiClient } from "../../api/client.ts";
import { sessionStore } from "../../auth/session-store.ts";
import { useUser } from "../../auth/use-session.ts";
import { FormError, SubmitButton } from "../../components/form-parts.tsx";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, Badge, Card, TextField } from "../../components/ui.tsx";
import { updateProfileInput } from "../../forms/schemas.ts";
import { useForm } from "../../forms/use-form.ts";
import { formatDateTime } from "../../lib/format-time.ts";

export function ProfilePage() {
  const user = useUser();
  const [saved, setSaved] = useState(false);
  const form = useForm({
    schema: updateProfileInput,
    initial: { displayName: user.displayName ?? "" },
    fieldIds: { displayName: "profile-name" },
    onSubmit: async (input) => {
      setSaved(false);
      sessionStore.updateUser(await apiClient.account.updateProfile.mutate(input));
      setSaved(true);
    },
  });

  return (
    <>
      <PageHeading description="How you appear in Tidings and in the emails it sends you.">Profile</PageHeading>
      <Card>
        <form className="grid gap-5" onSubmit={form.onSubmit} noValidate>
          <TextField
            label="Display name"
            autoComplete="name"
            {...form.field("displayName")}
            onValueChange={(value) => {
              setSaved(false);
              form.setValue("displayName", value);
            }}
          />
          <div className="grid gap-1.5">
            <p className="text-sm font-medium">Email</p>
            <p className="flex flex-wrap items-center gap-2 break-all">
              {user.email}
              {user.emailVerified ? <Badge tone="success">Verified</Badge> : <Badge tone="warning">Unverified</Badge>}
            </p>
          </div>
          <p className="text-sm text-muted">Member since {formatDateTime(user.createdAt)}</p>
          <FormError form={form} />
          {saved && <Alert tone="success">Profile saved.</Alert>}
          <div>
            <SubmitButton form={form}>Save changes</SubmitButton>
          </div>
        </form>
      </Card>
    </>
  );
}
