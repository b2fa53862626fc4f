import { useMutation } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import { apiClient } from "../../api/client.ts";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, buttonClass, Card, Spinner } from "../../components/ui.tsx";
import { OneTimeTokenProblem } from "./OneTimeTokenProblem.tsx";

const route = getRouteApi("/_public/unlock-account");

export function UnlockAccountPage() {
  const { token } = route.useSearch();
  const unlock = useMutation({ mutationFn: (value: string) => apiClient.auth.unlockAccount.mutate({ token: value }) });
  // Single-use link: spend it once even when StrictMode runs effects twice.
  const started = useRef(false);
  useEffect(() => {
    if (started.current || !token) return;
    started.current = true;
    unlock.mutate(token);
  }, [token, unlock]);

  return (
    <div className="grid gap-6">
      <PageHeading>Unlock your account</PageHeading>
      <Card className="grid gap-4">
        {!token || unlock.isError ? (
          <OneTimeTokenProblem
            error={unlock.error ?? undefined}
            retry={{ to: "/forgot-password", label: "Reset your password instead" }}
          />
        ) : unlock.isSuccess ? (
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
    </div>
  );
}
