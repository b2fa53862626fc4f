import { useState } from "react";
import { appErrorData } from "../../api/app-error.ts";
import { apiClient } from "../../api/client.ts";
import { useUser } from "../../auth/use-session.ts";
import { FormError, NewPasswordField, SubmitButton } from "../../components/form-parts.tsx";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, Card, TextField } from "../../components/ui.tsx";
import { changePasswordInput } from "../../forms/schemas.ts";
import { useForm } from "../../forms/use-form.ts";
import { weakPasswordMessage } from "../../forms/weak-password.ts";

export function PasswordPage() {
  const user = useUser();
  const [revokeOthers, setRevokeOthers] = useState(true);
  const [changed, setChanged] = useState(false);
  const form = useForm({
    schema: changePasswordInput,
    initial: { currentPassword: "", newPassword: "" },
    fieldIds: { currentPassword: "current-password", newPassword: "new-password" },
    onSubmit: async (input) => {
      setChanged(false);
      await apiClient.auth.changePassword.mutate({ ...input, revokeOtherSessions: revokeOthers });
      form.setValue("currentPassword", "");
      form.setValue("newPassword", "");
      setChanged(true);
    },
    onServerError: (error, show) => {
      const data = appErrorData(error);
      if (data.appCode === "WEAK_PASSWORD") {
        show.field("newPassword", weakPasswordMessage(data));
        return true;
      }
      if (data.appCode === "INVALID_CREDENTIALS") {
        show.field("currentPassword", "That is not your current password.");
        return true;
      }
      return false;
    },
  });

  return (
    <>
      <PageHeading description="Use a long passphrase you do not use anywhere else.">Change password</PageHeading>
      <Card>
        <form className="grid gap-5" onSubmit={form.onSubmit} noValidate>
          {/* Lets password managers file the new password under the right account. */}
          <input type="hidden" autoComplete="username" value={user.email} readOnly />
          <TextField
            label="Current password"
            type="password"
            autoComplete="current-password"
            {...form.field("currentPassword")}
          />
          <NewPasswordField
            label="New password"
            {...form.field("newPassword")}
            onValueChange={(value) => {
              setChanged(false);
              form.setValue("newPassword", value);
            }}
            userInputs={[user.email, user.displayName ?? ""]}
          />
          <label className="flex items-start gap-3 text-sm">
            <input
              type="checkbox"
              checked={revokeOthers}
              onChange={(event) => setRevokeOthers(event.target.checked)}
              className="mt-0.5 size-4 accent-accent"
            />
            <span>
              Sign out on all other devices
              <span className="block text-muted">Recommended if you think someone else knows your password.</span>
            </span>
          </label>
          <FormError form={form} />
          {changed && <Alert tone="success">Your password has been changed.</Alert>}
          <div>
            <SubmitButton form={form}>Change password</SubmitButton>
          </div>
        </form>
      </Card>
    </>
  );
}
