import { useMutation } from "@tanstack/react-query";
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import { apiClient } from "../../api/client.ts";
import { acceptAuthResult } from "../../auth/session.ts";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Card, Spinner } from "../../components/ui.tsx";
import { OneTimeTokenProblem } from "./OneTimeTokenProblem.tsx";

const route = getRouteApi("/_public/verify-email");

export function VerifyEmailPage() {
  const { token } = route.useSearch();
  const navigate = useNavigate();
  const verify = useMutation({
    mutationFn: (value: string) => apiClient.auth.verifyEmail.mutate({ token: value }),
    onSuccess: async (result) => {
      acceptAuthResult(result);
      await navigate({ to: "/dashboard", search: { welcome: true }, replace: true });
    },
  });
  // The link is single use: StrictMode's second effect run must not spend it twice.
  const started = useRef(false);
  useEffect(() => {
    if (started.current || !token) return;
    started.current = true;
    verify.mutate(token);
  }, [token, verify]);

  return (
    <div className="grid gap-6">
      <PageHeading>Confirming your email</PageHeading>
      <Card>
        {!token || verify.isError ? (
          <OneTimeTokenProblem
            error={verify.error ?? undefined}
            retry={{ to: "/sign-in", label: "Sign in to get a new confirmation email" }}
          />
        ) : (
          <p role="status" className="flex items-center gap-3">
            <Spinner /> One moment while we confirm your address and sign you in…
          </p>
        )}
      </Card>
    </div>
  );
}
