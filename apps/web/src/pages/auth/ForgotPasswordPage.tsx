import { useState } from "react";
import { appErrorData, tryAgainIn } from "../../api/app-error.ts";
import { apiClient } from "../../api/client.ts";
import { DevMailboxNotice } from "../../components/DevMailboxNotice.tsx";
import { AuthForm, EmailField } from "../../components/form-parts.tsx";
import { Card } from "../../components/ui.tsx";
import { emailOnlyInput } from "../../forms/schemas.ts";
import { useForm } from "../../forms/use-form.ts";
import { AuthPage } from "./AuthPage.tsx";
import { ElsewhereLink } from "./ElsewhereLink.tsx";

export function ForgotPasswordPage() {
  const [sentTo, setSentTo] = useState<string | undefined>();
  const form = useForm({
    schema: emailOnlyInput,
    initial: { email: "" },
    fieldIds: { email: "forgot-email" },
    onSubmit: async (input) => {
      await apiClient.auth.requestPasswordReset.mutate(input);
      setSentTo(input.email);
    },
    onServerError: (error, show) => {
      const data = appErrorData(error);
      if (data.appCode !== "RATE_LIMITED") return false;
      show.form(`Too many requests for this address. ${tryAgainIn(data)}`);
      return true;
    },
  });

  return (
    <AuthPage
      title="Reset your password"
      description="Enter the email you signed up with and we will send you a link to choose a new password."
    >
      <Card>
        {sentTo ? (
          <div className="grid gap-3" role="status">
            <p className="font-semibold">Check your email</p>
            <p>
              If an account exists for <strong className="break-all">{sentTo}</strong>, a reset link is on its way. It
              works for one hour.
            </p>
          </div>
        ) : (
          <AuthForm form={form} submitLabel="Send reset link">
            <EmailField autoComplete="email" {...form.field("email")} />
          </AuthForm>
        )}
      </Card>
      {sentTo && <DevMailboxNotice prominent />}
      <ElsewhereLink prompt="Remembered it?" to="/sign-in">
        Back to sign in
      </ElsewhereLink>
    </AuthPage>
  );
}
