import { startAuthentication } from "@simplewebauthn/browser";
import { useMutation } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { appCodeOf, appErrorData, generalMessage, tryAgainIn } from "../../api/app-error.ts";
import { acceptAuthResult } from "../../auth/session.ts";
import { useSession } from "../../auth/use-session.ts";
import { DevMailboxNotice } from "../../components/DevMailboxNotice.tsx";
import { AuthForm, EmailField, FormError, PasswordField } from "../../components/form-parts.tsx";
import { Alert, Button, Card } from "../../components/ui.tsx";
import { showServerError, useSchemaForm } from "../../forms/schema-form.ts";
import { loginInput } from "../../forms/schemas.ts";
import { isPasskeyPromptError, passkeyPromptMessage } from "../../lib/passkeys.ts";
import { useTRPC } from "../../trpc.ts";
import { AuthPage } from "./AuthPage.tsx";
import { ElsewhereLink } from "./ElsewhereLink.tsx";
import { type MfaStep, SecondFactorStep } from "./SecondFactorStep.tsx";

const route = getRouteApi("/_public/sign-in");

const notices = {
  "session-ended":
    "Your session has ended, perhaps because it was signed out from another device. Sign in again to continue.",
  "signed-out": "You have signed out.",
  "password-reset": "Your password has been changed. Sign in with your new password.",
} as const;

/** Only paths inside this app, so a crafted link cannot send a fresh sign-in elsewhere. */
function safeRedirect(target: string | undefined): string {
  return target?.startsWith("/") && !target.startsWith("//") ? target : "/dashboard";
}

export function SignInPage() {
  const trpc = useTRPC();
  const search = route.useSearch();
  const navigate = useNavigate();
  const session = useSession();
  // Signing in here or in another tab (which tells this one) leads on to where the user was going.
  useEffect(() => {
    if (session.status === "signed-in") void navigate({ to: safeRedirect(search.redirect), replace: true });
  }, [session.status, navigate, search.redirect]);
  const [unverifiedEmail, setUnverifiedEmail] = useState<string | undefined>();
  const [mfaStep, setMfaStep] = useState<MfaStep | undefined>();
  const [passkeyError, setPasskeyError] = useState<string | undefined>();
  const form = useSchemaForm(loginInput, { email: "", password: "" });
  const resend = useMutation(trpc.auth.resendVerification.mutationOptions());
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onMutate: () => setUnverifiedEmail(undefined),
      onSuccess: (result) => {
        if ("mfaRequired" in result) {
          setMfaStep({ mfaToken: result.mfaToken, methods: result.methods });
          return;
        }
        acceptAuthResult(result);
      },
      onError: (error, input) =>
        showServerError(form, error, (data) => {
          if (data.appCode === "INVALID_CREDENTIALS") {
            return { field: "password", message: "The email or password is incorrect." };
          }
          if (data.appCode === "EMAIL_NOT_VERIFIED") {
            setUnverifiedEmail(input.email);
            resend.reset();
            return { field: "email", message: "Confirm this email address first: open the link we emailed you." };
          }
          if (data.appCode === "RATE_LIMITED") return { form: `Too many sign-in attempts. ${tryAgainIn(data)}` };
          return undefined;
        }),
    }),
  );
  const onSubmit = form.handleSubmit((input) => login.mutate(input));
  // Passwordless: the browser offers the passkeys it holds for this site; no email is typed.
  const passkeyOptions = useMutation(trpc.auth.passkeyOptions.mutationOptions());
  const passkeyLogin = useMutation(trpc.auth.passkeyLogin.mutationOptions());
  const withPasskey = useMutation({
    mutationFn: async () => {
      const optionsJSON = await passkeyOptions.mutateAsync({});
      const response = await startAuthentication({ optionsJSON });
      return passkeyLogin.mutateAsync({ response });
    },
    onMutate: () => setPasskeyError(undefined),
    onSuccess: (result) => acceptAuthResult(result),
    onError: (error) => {
      if (isPasskeyPromptError(error)) setPasskeyError(passkeyPromptMessage(error));
      else if (appCodeOf(error) === "MFA_INVALID") setPasskeyError("That passkey was not accepted. Try again.");
      else if (appCodeOf(error) === "RATE_LIMITED")
        setPasskeyError(`Too many attempts. ${tryAgainIn(appErrorData(error))}`);
      else setPasskeyError(generalMessage(error));
    },
  });

  if (mfaStep) {
    return (
      <AuthPage title="Two-factor sign-in" description="One more step to sign in to your Tidings account.">
        <SecondFactorStep step={mfaStep} onRestart={() => setMfaStep(undefined)} />
      </AuthPage>
    );
  }
  const { errors } = form.formState;

  return (
    <AuthPage title="Sign in" description="Welcome back. Sign in to your Tidings account.">
      {search.reason && (
        <Alert tone={search.reason === "session-ended" ? "warning" : "info"}>{notices[search.reason]}</Alert>
      )}
      <Card>
        <AuthForm onSubmit={onSubmit} error={errors.root?.server?.message} busy={login.isPending} submitLabel="Sign in">
          <EmailField
            id="sign-in-email"
            autoComplete="username"
            error={errors.email?.message}
            {...form.register("email")}
            below={
              unverifiedEmail && (
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <Button
                    variant="secondary"
                    onClick={() => resend.mutate({ email: unverifiedEmail })}
                    busy={resend.isPending}
                    disabled={resend.isSuccess}
                  >
                    Resend verification email
                  </Button>
                  {resend.isSuccess && <span role="status">Sent. Check your inbox.</span>}
                </div>
              )
            }
          />
          <PasswordField
            id="sign-in-password"
            label="Password"
            autoComplete="current-password"
            error={errors.password?.message}
            {...form.register("password")}
            hint={
              <Link to="/forgot-password" className="font-medium">
                Forgot your password?
              </Link>
            }
          />
        </AuthForm>
        <div className="mt-5 grid gap-3 border-t border-line pt-5">
          <Button
            variant="secondary"
            className="w-full"
            onClick={() => withPasskey.mutate()}
            busy={withPasskey.isPending}
          >
            Sign in with a passkey
          </Button>
          <FormError message={passkeyError} testId="passkey-error" />
        </div>
      </Card>
      <ElsewhereLink prompt="New to Tidings?" to="/sign-up">
        Create an account
      </ElsewhereLink>
      <DevMailboxNotice />
    </AuthPage>
  );
}
