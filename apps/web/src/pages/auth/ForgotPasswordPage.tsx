import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { appErrorData, describeWait } from "../../api/app-error.ts";
import { apiClient } from "../../api/client.ts";
import { DevMailboxNotice } from "../../components/DevMailboxNotice.tsx";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, Button, Card, TextField } from "../../components/ui.tsx";
import { emailOnlyInput } from "../../forms/schemas.ts";
import { useForm } from "../../forms/use-form.ts";

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
      show.form(`Too many requests for this address. Try again in ${describeWait(data.retryAfterSeconds ?? 60)}.`);
      return true;
    },
  });

  return (
    <div className="grid gap-6">
      <PageHeading description="Enter the email you signed up with and we will send you a link to choose a new password.">
        Reset your password
      </PageHeading>
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
          <form className="grid gap-5" onSubmit={form.onSubmit} noValidate>
            <TextField
              id="forgot-email"
              label="Email"
              type="email"
              autoComplete="email"
              value={form.values.email}
              onValueChange={(value) => form.setValue("email", value)}
              error={form.errors.email}
            />
            {form.formError && (
              <Alert tone="error" ref={form.formErrorRef} testId="form-error">
                {form.formError}
              </Alert>
            )}
            <Button type="submit" busy={form.submitting} className="w-full">
              Send reset link
            </Button>
          </form>
        )}
      </Card>
      {sentTo && <DevMailboxNotice prominent />}
      <p className="text-center text-sm text-muted">
        Remembered it?{" "}
        <Link to="/sign-in" className="font-semibold">
          Back to sign in
        </Link>
      </p>
    </div>
  );
}
