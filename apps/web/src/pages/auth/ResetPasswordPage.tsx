import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { appErrorData } from "../../api/app-error.ts";
import { apiClient } from "../../api/client.ts";
import { acceptAuthResult } from "../../auth/session.ts";
import { AuthForm, EmailField, NewPasswordField } from "../../components/form-parts.tsx";
import { Card } from "../../components/ui.tsx";
import { emailOnlyInput, resetPasswordInput } from "../../forms/schemas.ts";
import { useForm } from "../../forms/use-form.ts";
import { weakPasswordMessage } from "../../forms/weak-password.ts";
import { AuthPage } from "./AuthPage.tsx";
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
    <AuthPage title="Choose a new password" description="Every device signed in to your account will be signed out.">
      <Card>
        {broken ? (
          <OneTimeTokenProblem
            error={tokenError}
            retry={{ to: "/forgot-password", label: "Ask for a new reset link" }}
          />
        ) : (
          <AuthForm form={form} submitLabel="Change password and sign in">
            <EmailField autoComplete="username" {...form.field("email")} />
            <NewPasswordField label="New password" {...form.field("newPassword")} userInputs={[form.values.email]} />
          </AuthForm>
        )}
      </Card>
    </AuthPage>
  );
}
