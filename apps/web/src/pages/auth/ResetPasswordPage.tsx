import { useMutation, useQuery } from "@tanstack/react-query";
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useWatch } from "react-hook-form";
import { type AppCode, appCodeOf } from "../../api/app-error.ts";
import { acceptAuthResult } from "../../auth/session.ts";
import { AuthForm, NewPasswordField } from "../../components/form-parts.tsx";
import { Card, Spinner, TextField } from "../../components/ui.tsx";
import { showServerError, useSchemaForm } from "../../forms/schema-form.ts";
import { resetPasswordInput } from "../../forms/schemas.ts";
import { weakPasswordMessage } from "../../forms/weak-password.ts";
import { useTRPC } from "../../trpc.ts";
import { AuthPage } from "./AuthPage.tsx";
import { OneTimeTokenProblem } from "./OneTimeTokenProblem.tsx";

const route = getRouteApi("/_public/reset-password");
const retry = { to: "/forgot-password", label: "Ask for a new reset link" } as const;

export function ResetPasswordPage() {
  const { token } = route.useSearch();
  const trpc = useTRPC();
  // Asked on load, as the verification page does: a used or expired link shows so at once,
  // and a live one says whose password changes (the link decides, not anything typed here).
  const check = useQuery({
    ...trpc.auth.checkPasswordResetToken.queryOptions({ token: token ?? "" }),
    enabled: Boolean(token),
    retry: false,
    // Once the reset spends the link, a refetch would call it dead on the way to the dashboard.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });

  return (
    <AuthPage title="Choose a new password" description="Every device signed in to your account will be signed out.">
      <Card>
        {!token ? (
          <OneTimeTokenProblem error={undefined} retry={retry} />
        ) : check.isPending ? (
          <p role="status" className="flex items-center gap-3">
            <Spinner /> Checking your link…
          </p>
        ) : check.isError ? (
          <OneTimeTokenProblem error={check.error} retry={retry} />
        ) : check.data.valid ? (
          <ResetPasswordForm token={token} email={check.data.email} />
        ) : (
          <OneTimeTokenProblem error={undefined} code={check.data.reason} retry={retry} />
        )}
      </Card>
    </AuthPage>
  );
}

function ResetPasswordForm({ token, email }: { token: string; email: string }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const [spentCode, setSpentCode] = useState<AppCode | undefined>();
  const form = useSchemaForm(resetPasswordInput.omit({ token: true }), { newPassword: "" });
  const newPassword = useWatch({ control: form.control, name: "newPassword" }) ?? "";
  const login = useMutation(trpc.auth.login.mutationOptions());
  const reset = useMutation(
    trpc.auth.resetPassword.mutationOptions({
      // The link's owner is signed in with the password just chosen.
      onSuccess: async (_result, input) => {
        try {
          const result = await login.mutateAsync({ email, password: input.newPassword });
          // With two-factor on, the sign-in page asks for the second step.
          if ("mfaRequired" in result) throw new Error("second factor needed");
          acceptAuthResult(result);
          await navigate({ to: "/dashboard", replace: true });
        } catch {
          await navigate({ to: "/sign-in", search: { reason: "password-reset" }, replace: true });
        }
      },
      onError: (error) => {
        const code = appCodeOf(error);
        // Used in another tab meanwhile, or expired while the page was open.
        if (code === "TOKEN_INVALID" || code === "TOKEN_EXPIRED") return setSpentCode(code);
        showServerError(form, error, (data) =>
          data.appCode === "WEAK_PASSWORD" ? { field: "newPassword", message: weakPasswordMessage(data) } : undefined,
        );
      },
    }),
  );
  const onSubmit = form.handleSubmit((input) => reset.mutate({ token, newPassword: input.newPassword }));

  if (spentCode) return <OneTimeTokenProblem error={undefined} code={spentCode} retry={retry} />;
  return (
    <AuthForm
      onSubmit={onSubmit}
      error={form.formState.errors.root?.server?.message}
      busy={reset.isPending || login.isPending}
      submitLabel="Change password and sign in"
    >
      {/* Read-only: the link decides the account. Password managers file the new password under it. */}
      <TextField id="reset-email" label="Account" type="email" autoComplete="username" value={email} readOnly />
      <NewPasswordField
        id="reset-password"
        label="New password"
        error={form.formState.errors.newPassword?.message}
        password={newPassword}
        owner={{ email }}
        {...form.register("newPassword")}
      />
    </AuthForm>
  );
}
