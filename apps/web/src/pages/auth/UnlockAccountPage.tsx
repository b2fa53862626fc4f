import { getRouteApi, Link } from "@tanstack/react-router";
import { apiClient } from "../../api/client.ts";
import { Alert, buttonClass, Card, Spinner } from "../../components/ui.tsx";
import { AuthPage } from "./AuthPage.tsx";
import { OneTimeTokenProblem } from "./OneTimeTokenProblem.tsx";
import { useOneTimeToken } from "./use-one-time-token.ts";

const route = getRouteApi("/_public/unlock-account");

export function UnlockAccountPage() {
  const { token } = route.useSearch();
  const unlock = useOneTimeToken(token, {
    mutationFn: (value) => apiClient.auth.unlockAccount.mutate({ token: value }),
  });

  return (
    <AuthPage title="Unlock your account">
      <Card className="grid gap-4">
        {unlock.broken ? (
          <OneTimeTokenProblem
            error={unlock.error}
            retry={{ to: "/forgot-password", label: "Reset your password instead" }}
          />
        ) : unlock.mutation.isSuccess ? (
          <>
            <Alert tone="success">Your account is unlocked. You can sign in again.</Alert>
            <p className="text-sm text-muted">
              If the failed attempts were not yours, choose a new password after signing in.
            </p>
            <Link to="/sign-in" className={buttonClass("primary", "w-full no-underline")}>
              Sign in
            </Link>
          </>
        ) : (
          <p role="status" className="flex items-center gap-3">
            <Spinner /> Unlocking your account…
          </p>
        )}
      </Card>
    </AuthPage>
  );
}
