import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { apiClient } from "../../api/client.ts";
import { acceptAuthResult } from "../../auth/session.ts";
import { Card, Spinner } from "../../components/ui.tsx";
import { AuthPage } from "./AuthPage.tsx";
import { OneTimeTokenProblem } from "./OneTimeTokenProblem.tsx";
import { useOneTimeToken } from "./use-one-time-token.ts";

const route = getRouteApi("/_public/verify-email");

export function VerifyEmailPage() {
  const { token } = route.useSearch();
  const navigate = useNavigate();
  const verify = useOneTimeToken(token, {
    mutationFn: (value) => apiClient.auth.verifyEmail.mutate({ token: value }),
    onSuccess: async (result) => {
      acceptAuthResult(result);
      await navigate({ to: "/dashboard", search: { welcome: true }, replace: true });
    },
  });

  return (
    <AuthPage title="Confirming your email">
      <Card>
        {verify.broken ? (
          <OneTimeTokenProblem
            error={verify.error}
            retry={{ to: "/sign-in", label: "Sign in to get a new confirmation email" }}
          />
        ) : (
          <p role="status" className="flex items-center gap-3">
            <Spinner /> One moment while we confirm your address and sign you in…
          </p>
        )}
      </Card>
    </AuthPage>
  );
}
