import { useMutation } from "@tanstack/react-query";
import { tryAgainIn } from "../../api/app-error.ts";
import { DevMailboxNotice } from "../../components/DevMailboxNotice.tsx";
import { EmailAddress } from "../../components/EmailAddress.tsx";
import { AuthForm, EmailField } from "../../components/form-parts.tsx";
import { Card } from "../../components/ui.tsx";
import { showServerError, useSchemaForm } from "../../forms/schema-form.ts";
import { emailOnlyInput } from "../../forms/schemas.ts";
import { useTRPC } from "../../trpc.ts";
import { AuthPage } from "./AuthPage.tsx";
import { ElsewhereLink } from "./ElsewhereLink.tsx";

export function ForgotPasswordPage() {
  const trpc = useTRPC();
  const form = useSchemaForm(emailOnlyInput, { email: "" });
  const request = useMutation(
    trpc.auth.requestPasswordReset.mutationOptions({
      onError: (error) =>
        showServerError(form, error, (data) =>
          data.appCode === "RATE_LIMITED"
            ? { form: `Too many requests for this address. ${tryAgainIn(data)}` }
            : undefined,
        ),
    }),
  );
  const onSubmit = form.handleSubmit((input) => request.mutate(input));
  const sentTo = request.isSuccess ? request.variables.email : undefined;

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
              If an account exists for{" "}
              <strong>
                <EmailAddress email={sentTo} />
              </strong>
              , a reset link is on its way. It works for one hour.
            </p>
          </div>
        ) : (
          <AuthForm
            onSubmit={onSubmit}
            error={form.formState.errors.root?.server?.message}
            busy={request.isPending}
            submitLabel="Send reset link"
          >
            <EmailField
              id="forgot-email"
              autoComplete="email"
              error={form.formState.errors.email?.message}
              {...form.register("email")}
            />
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
