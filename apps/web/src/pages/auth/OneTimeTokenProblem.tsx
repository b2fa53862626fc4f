import { Link } from "@tanstack/react-router";
import type { AppCode } from "../../api/app-error.ts";
import { appCodeOf, generalMessage } from "../../api/app-error.ts";
import { Alert } from "../../components/ui.tsx";

/** What to tell someone whose emailed link did not work, and where to get a new one. */
export function OneTimeTokenProblem({
  error,
  code = appCodeOf(error),
  retry,
}: {
  /** Undefined when the link had no token at all. */
  error: unknown;
  /** The verdict of a check that answered rather than failed (auth.checkPasswordResetToken). */
  code?: AppCode | undefined;
  retry: { to: "/forgot-password" | "/sign-in" | "/sign-up"; label: string };
}) {
  const message =
    !error && !code
      ? "This link is incomplete. Copy the whole link from the email, or ask for a new one."
      : code === "TOKEN_EXPIRED"
        ? "This link has expired."
        : code === "TOKEN_INVALID" || code === "INVALID_INPUT"
          ? "This link is not valid any more. It may have been used already, or a newer one was sent."
          : generalMessage(error);
  return (
    <div className="grid gap-4">
      <Alert tone="error">{message}</Alert>
      <Link to={retry.to} className="font-semibold">
        {retry.label}
      </Link>
    </div>
  );
}
