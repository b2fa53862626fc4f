import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { appErrorData } from "../../api/app-error.ts";
import { apiClient } from "../../api/client.ts";
import { acceptAuthResult } from "../../auth/session.ts";
import { PageHeading } from "../../components/PageHeading.tsx";
import { PasswordStrengthMeter } from "../../components/PasswordStrengthMeter.tsx";
import { Alert, Button, Card, TextField } from "../../components/ui.tsx";
import { emailOnlyInput, resetPasswordInput } from "../../forms/schemas.ts";
import { useForm } from "../../forms/use-form.ts";
import { weakPasswordMessage } from "../../forms/weak-password.ts";
import { preloadStrengthEstimator } from "../../lib/password-strength.ts";
import { OneTimeTokenProblem } from "./OneTimeTokenProblem.tsx";

const route = getRouteApi("/_public/reset-password");

// The reset link does not say whose account it is; the email lets us sign in right after the
// reset (and lets password managers file the new password under the right account).
const resetForm = resetPasswordInput.omit({ token: true }).extend(emailOnlyInput.shape);

export function ResetPasswordPage() {
  const { token } = route.useSearch();
  const navigate = useNavigate();
  const [tokenError, setTokenError] = useState<unknown>();
  const form = useForm({
    schema: resetForm,
    initial: { email: "", newPassword: "" },
    fieldIds: { email: "reset-email", newPassword: "reset-password" },
    onSubmit: async ({ email, newPassword }) => {
      await apiClient.auth.resetPassword.mutate({ token: token ?? "", newPassword });
      try {
        acceptAuthResult(await apiClient.auth.login.mutate({ email, password: newPassword }));
        await navigate({ to: "/dashboard", replace: true });
      } catch {
        await navigate({ to: "/sign-in", search: { reason: "password-reset" }, replace: true });
      }
    },
    onServerError: (error, show) => {
      const data = appErrorData(error);
      if (data.appCode === "WEAK_PASSWORD") {
        show.field("newPassword", weakPasswordMessage(data));
        return true;
      }
      if (data.appCode === "TOKEN_INVALID" || data.appCode === "TOKEN_EXPIRED") {
        setTokenError(error);
        return true;
      }
      return false;
    },
  });

  const broken = !token || tokenError !== undefined;
  return (
    <div className="grid gap-6">
      <PageHeading description="Every device signed in to your account will be signed out.">
        Choose a new password
      </PageHeading>
      <Card>
        {broken ? (
          <OneTimeTokenProblem
            error={tokenError}
            retry={{ to: "/forgot-password", label: "Ask for a new reset link" }}
          />
        ) : (
          <form className="grid gap-5" onSubmit={form.onSubmit} noValidate>
            <TextField
              id="reset-email"
              label="Email"
              type="email"
              autoComplete="username"
              value={form.values.email}
              onValueChange={(value) => form.setValue("email", value)}
              error={form.errors.email}
            />
            <TextField
              id="reset-password"
              label="New password"
              type="password"
              autoComplete="new-password"
              value={form.values.newPassword}
              onFocus={preloadStrengthEstimator}
              onValueChange={(value) => form.setValue("newPassword", value)}
              error={form.errors.newPassword}
              hint="At least 12 characters. Spaces, symbols and emoji are welcome."
              below={<PasswordStrengthMeter password={form.values.newPassword} userInputs={[form.values.email]} />}
            />
            {form.formError && (
              <Alert tone="error" ref={form.formErrorRef} testId="form-error">
                {form.formError}
              </Alert>
            )}
            <Button type="submit" busy={form.submitting} className="w-full">
              Change password and sign in
            </Button>
          </form>
        )}
      </Card>
    </div>
  );
}
