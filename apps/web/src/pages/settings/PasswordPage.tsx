import { useState } from "react";
import { appErrorData } from "../../api/app-error.ts";
import { apiClient } from "../../api/client.ts";
import { useUser } from "../../auth/use-session.ts";
import { PageHeading } from "../../components/PageHeading.tsx";
import { PasswordStrengthMeter } from "../../components/PasswordStrengthMeter.tsx";
import { Alert, Button, Card, TextField } from "../../components/ui.tsx";
import { changePasswordInput } from "../../forms/schemas.ts";
import { useForm } from "../../forms/use-form.ts";
import { weakPasswordMessage } from "../../forms/weak-password.ts";
import { preloadStrengthEstimator } from "../../lib/password-strength.ts";

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
            id="current-password"
            label="Current password"
            type="password"
            autoComplete="current-password"
            value={form.values.currentPassword}
            onValueChange={(value) => form.setValue("currentPassword", value)}
            error={form.errors.currentPassword}
          />
          <TextField
            id="new-password"
            label="New password"
            type="password"
            autoComplete="new-password"
            value={form.values.newPassword}
            onFocus={preloadStrengthEstimator}
            onValueChange={(value) => {
              setChanged(false);
              form.setValue("newPassword", value);
            }}
            error={form.errors.newPassword}
            hint="At least 12 characters. Spaces, symbols and emoji are welcome."
            below={
              <PasswordStrengthMeter
                password={form.values.newPassword}
                userInputs={[user.email, user.displayName ?? ""]}
              />
            }
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
          {form.formError && (
            <Alert tone="error" ref={form.formErrorRef}>
              {form.formError}
            </Alert>
          )}
          {changed && <Alert tone="success">Your password has been changed.</Alert>}
          <div>
            <Button type="submit" busy={form.submitting}>
              Change password
            </Button>
          </div>
        </form>
      </Card>
    </>
  );
}
