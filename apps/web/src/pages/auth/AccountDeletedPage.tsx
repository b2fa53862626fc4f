import { Link } from "@tanstack/react-router";
import { Alert, buttonClass, Card } from "../../components/ui.tsx";
import { AuthPage } from "./AuthPage.tsx";

/** Where deleting an account ends: signed out, with a word on what happened. */
export function AccountDeletedPage() {
  return (
    <AuthPage title="Your account is deleted">
      <Card className="grid gap-4">
        <Alert tone="success" testId="account-deleted">
          Your account and all its data are gone, and you are signed out on every device. Thank you for using Tidings.
        </Alert>
        <div className="flex flex-col gap-2 sm:flex-row">
          <Link to="/" className={buttonClass("secondary", "no-underline sm:flex-1")}>
            Back to the start page
          </Link>
          <Link to="/sign-up" className={buttonClass("primary", "no-underline sm:flex-1")}>
            Create a new account
          </Link>
        </div>
      </Card>
    </AuthPage>
  );
}
