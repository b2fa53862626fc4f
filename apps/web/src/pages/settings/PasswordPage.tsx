import { useMutation } from "@tanstack/react-query";
import { useWatch } from "react-hook-form";
import { useUser } from "../../auth/use-session.ts";
import { FormError, NewPasswordField, PasswordField, SubmitButton } from "../../components/form-parts.tsx";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, Card } from "../../components/ui.tsx";
import { showServerError, useSchemaForm } from "../../forms/schema-form.ts";
import { changePasswordInput } from "../../forms/schemas.ts";
import { weakPasswordMessage } from "../../forms/weak-password.ts";
import { useTRPC } from "../../trpc.ts";

export function PasswordPage() {
  const trpc = useTRPC();
  const user = useUser();
  const form = useSchemaForm(changePasswordInput, { currentPassword: "", newPassword: "", revokeOtherSessions: true });
  const newPassword = useWatch({ control: form.control, name: "newPassword" }) ?? "";
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: () => form.reset({ currentPassword: "", newPassword: "", revokeOtherSessions: true }),
      onError: (error) =>
        showServerError(form, error, (data) => {
          if (data.appCode === "WEAK_PASSWORD") return { field: "newPassword", message: weakPasswordMessage(data) };
          if (data.appCode === "INVALID_CREDENTIALS") {
            return { field: "currentPassword", message: "That is not your current password." };
          }
          return undefined;
        }),
    }),
  );
  const onSubmit = form.handleSubmit((input) => change.mutate(input));
  const { errors } = form.formState;

  return (
    <>
      <PageHeading description="Use a long passphrase you do not use anywhere else.">Change password</PageHeading>
      <Card>
        <form className="grid gap-5" onSubmit={onSubmit} noValidate>
          {/* Lets password managers file the new password under the right account. */}
          <input type="hidden" autoComplete="username" value={user.email} readOnly />
          <PasswordField
            id="current-password"
            label="Current password"
            autoComplete="current-password"
            error={errors.currentPassword?.message}
            {...form.register("currentPassword")}
          />
          <NewPasswordField
            id="new-password"
            label="New password"
            error={errors.newPassword?.message}
            password={newPassword}
            owner={{ email: user.email, displayName: user.displayName }}
            {...form.register("newPassword", { onChange: () => change.reset() })}
          />
          <label className="flex items-start gap-3 text-sm">
            <input type="checkbox" {...form.register("revokeOtherSessions")} className="mt-0.5 size-4 accent-accent" />
            <span>
              Sign out on all other devices
              <span className="block text-muted">Recommended if you think someone else knows your password.</span>
            </span>
          </label>
          <FormError message={errors.root?.server?.message} />
          {change.isSuccess && <Alert tone="success">Your password has been changed.</Alert>}
          <div>
            <SubmitButton busy={change.isPending}>Change password</SubmitButton>
          </div>
        </form>
      </Card>
    </>
  );
}
