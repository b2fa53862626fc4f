import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { appErrorData, tryAgainIn } from "../../api/app-error.ts";
import { apiClient } from "../../api/client.ts";
import { acceptAuthResult } from "../../auth/session.ts";
import { useSession } from "../../auth/use-session.ts";
import { DevMailboxNotice } from "../../components/DevMailboxNotice.tsx";
import { AuthForm, EmailField } from "../../components/form-parts.tsx";
import { Alert, Button, Card, TextField } from "../../components/ui.tsx";
import { loginInput } from "../../forms/schemas.ts";
import { useForm } from "../../forms/use-form.ts";
import { AuthPage } from "./AuthPage.tsx";
import { ElsewhereLink } from "./ElsewhereLink.tsx";

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
  const search = route.useSearch();
  const navigate = useNavigate();
  const session = useSession();
  // Signing in here or in another tab (which tells this one) leads on to where the user was going.
  useEffect(() => {
    if (session.status === "signed-in") void navigate({ to: safeRedirect(search.redirect), replace: true });
  }, [session.status, navigate, search.redirect]);
  const [unverifiedEmail, setUnverifiedEmail] = useState<string | undefined>();
  const [resent, setResent] = useState(false);
  const form = useForm({
    schema: loginInput,
    initial: { email: "", password: "" },
    fieldIds: { email: "sign-in-email", password: "sign-in-password" },
    onSubmit: async (input) => {
      setUnverifiedEmail(undefined);
      acceptAuthResult(await apiClient.auth.login.mutate(input));
    },
    onServerError: (error, show) => {
      const data = appErrorData(error);
      if (data.appCode === "INVALID_CREDENTIALS") {
        show.field("password", "The email or password is incorrect.");
        return true;
      }
      if (data.appCode === "EMAIL_NOT_VERIFIED") {
        show.field("email", "Confirm this email address first: open the link we emailed you.");
        setUnverifiedEmail(form.values.email);
        setResent(false);
        return true;
      }
      if (data.appCode === "RATE_LIMITED") {
        show.form(`Too many sign-in attempts. ${tryAgainIn(data)}`);
        return true;
      }
      return false;
    },
  });

  const resend = async () => {
    if (!unverifiedEmail) return;
    await apiClient.auth.resendVerification.mutate({ email: unverifiedEmail });
    setResent(true);
  };

  return (
    <AuthPage title="Sign in" description="Welcome back. Sign in to your Tidings account.">
      {search.reason && (
        <Alert tone={search.reason === "session-ended" ? "warning" : "info"}>{notices[search.reason]}</Alert>
      )}
      <Card>
        <AuthForm form={form} submitLabel="Sign in">
          <EmailField
            autoComplete="username"
            {...form.field("email")}
            below={
              unverifiedEmail && (
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <Button variant="secondary" onClick={() => void resend()} disabled={resent}>
                    Resend verification email
                  </Button>
                  {resent && <span role="status">Sent. Check your inbox.</span>}
                </div>
              )
            }
          />
          <TextField
            label="Password"
            type="password"
            autoComplete="current-password"
            {...form.field("password")}
            hint={
              <Link to="/forgot-password" className="font-medium">
                Forgot your password?
              </Link>
            }
          />
        </AuthForm>
      </Card>
      <ElsewhereLink prompt="New to Tidings?" to="/sign-up">
        Create an account
      </ElsewhereLink>
      <DevMailboxNotice />
    </AuthPage>
  );
}
