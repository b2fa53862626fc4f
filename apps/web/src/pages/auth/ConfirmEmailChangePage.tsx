import { getRouteApi, Link } from "@tanstack/react-router";
import { apiClient } from "../../api/client.ts";
import { endSession } from "../../auth/session.ts";
import { Alert, buttonClass, Card, Spinner } from "../../components/ui.tsx";
import { AuthPage } from "./AuthPage.tsx";
import { OneTimeTokenProblem } from "./OneTimeTokenProblem.tsx";
import { useOneTimeToken } from "./use-one-time-token.ts";

const route = getRouteApi("/_public/confirm-email-change");

/** Opened from the link sent to the new address; it may be opened signed out, or on another device. */
export function ConfirmEmailChangePage() {
  const { token } = route.useSearch();
  const confirm = useOneTimeToken(token, {
    mutationFn: (value) => apiClient.account.confirmEmailChange.mutate({ token: value }),
    // The server ended every session of the account and cleared this browser's cookie: forget it here too.
    onSuccess: () => endSession("session-ended"),
  });

  return (
    <AuthPage title="Confirm your new email address">
      <Card className="grid gap-4">
        {confirm.broken ? (
          <OneTimeTokenProblem
            error={confirm.error}
            retry={{ to: "/sign-in", label: "Sign in to ask for a new link" }}
          />
        ) : confirm.mutation.isSuccess ? (
          <>
            <Alert tone="success" testId="email-changed">
              Your email address is changed. You were signed out on every device: sign in with your new address.
            </Alert>
            <Link to="/sign-in" className={buttonClass("primary", "w-full no-underline")}>
              Sign in with your new address
            </Link>
          </>
        ) : (
          <p role="status" className="flex items-center gap-3">
            <Spinner /> Changing your email address…
          </p>
        )}
      </Card>
    </AuthPage>
  );
}
