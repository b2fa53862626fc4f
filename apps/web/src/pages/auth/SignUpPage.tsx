import { Link, useNavigate } from "@tanstack/react-router";
import { appErrorData, describeWait } from "../../api/app-error.ts";
import { apiClient } from "../../api/client.ts";
import { PageHeading } from "../../components/PageHeading.tsx";
import { PasswordStrengthMeter } from "../../components/PasswordStrengthMeter.tsx";
import { Alert, Button, Card, TextField } from "../../components/ui.tsx";
import { registerInput } from "../../forms/schemas.ts";
import { useForm } from "../../forms/use-form.ts";
import { weakPasswordMessage } from "../../forms/weak-password.ts";
import { preloadStrengthEstimator } from "../../lib/password-strength.ts";

export function SignUpPage() {
  const navigate = useNavigate();
  const form = useForm({
    schema: registerInput,
    initial: { displayName: "", email: "", password: "" },
    fieldIds: { displayName: "sign-up-name", email: "sign-up-email", password: "sign-up-password" },
    onSubmit: async (input) => {
      await apiClient.auth.register.mutate({ ...input, displayName: input.displayName || undefined });
      await navigate({ to: "/check-email", search: { email: input.email } });
    },
    onServerError: (error, show) => {
      const data = appErrorData(error);
      if (data.appCode === "WEAK_PASSWORD") {
        show.field("password", weakPasswordMessage(data));
        return true;
      }
      if (data.appCode === "RATE_LIMITED") {
        show.form(`Too many sign-ups from here. Try again in ${describeWait(data.retryAfterSeconds ?? 60)}.`);
        return true;
      }
      return false;
    },
  });

  return (
    <div className="grid gap-6">
      <PageHeading description="Set up Tidings in a minute. We will email you a link to confirm your address.">
        Create your account
      </PageHeading>
      <Card>
        <form className="grid gap-5" onSubmit={form.onSubmit} noValidate>
          <TextField
            id="sign-up-name"
            label="Your name (optional)"
            autoComplete="name"
            value={form.values.displayName}
            onValueChange={(value) => form.setValue("displayName", value)}
            error={form.errors.displayName}
          />
          <TextField
            id="sign-up-email"
            label="Email"
            type="email"
            autoComplete="email"
            value={form.values.email}
            onValueChange={(value) => form.setValue("email", value)}
            error={form.errors.email}
          />
          <TextField
            id="sign-up-password"
            label="Password"
            type="password"
            autoComplete="new-password"
            value={form.values.password}
            onFocus={preloadStrengthEstimator}
            onValueChange={(value) => form.setValue("password", value)}
            error={form.errors.password}
            hint="At least 12 characters. Spaces, symbols and emoji are welcome."
            below={
              <PasswordStrengthMeter
                password={form.values.password}
                userInputs={[form.values.email, form.values.displayName]}
              />
            }
          />
          {form.formError && (
            <Alert tone="error" ref={form.formErrorRef} testId="form-error">
              {form.formError}
            </Alert>
          )}
          <Button type="submit" busy={form.submitting} className="w-full">
            Create account
          </Button>
        </form>
      </Card>
      <p className="text-center text-sm text-muted">
        Already have an account?{" "}
        <Link to="/sign-in" className="font-semibold">
          Sign in
        </Link>
      </p>
    </div>
  );
}
