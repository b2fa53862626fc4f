import { getRouteApi } from "@tanstack/react-router";
import { useState } from "react";
import { appErrorData, tryAgainIn } from "../../api/app-error.ts";
import { apiClient } from "../../api/client.ts";
import { DevMailboxNotice } from "../../components/DevMailboxNotice.tsx";
import { MailIcon } from "../../components/icons.tsx";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, Button, Card } from "../../components/ui.tsx";
import { ElsewhereLink } from "./ElsewhereLink.tsx";

const route = getRouteApi("/_public/check-email");

export function CheckEmailPage() {
  const { email } = route.useSearch();
  const [resend, setResend] = useState<{ state: "idle" | "busy" | "sent" } | { state: "error"; message: string }>({
    state: "idle",
  });

  const onResend = async () => {
    if (!email) return;
    setResend({ state: "busy" });
    try {
      await apiClient.auth.resendVerification.mutate({ email });
      setResend({ state: "sent" });
    } catch (error) {
      const data = appErrorData(error);
      setResend({
        state: "error",
        message:
          data.appCode === "RATE_LIMITED"
            ? `Too many emails. ${tryAgainIn(data)}`
            : "Could not send the email. Try again in a moment.",
      });
    }
  };

  return (
    <div className="grid gap-6">
      <div className="flex size-12 items-center justify-center rounded-xl bg-accent-soft text-link">
        <MailIcon width={28} height={28} />
      </div>
      <PageHeading>Check your email</PageHeading>
      <Card className="grid gap-4">
        <p>
          We sent a confirmation link to {email ? <strong className="break-all">{email}</strong> : "your email address"}
          . Open it on this device to finish setting up your account. The link works for 24 hours.
        </p>
        <p className="text-sm text-muted">Nothing there? Look in your spam folder, or send it again.</p>
        {email && (
          <div className="flex flex-wrap items-center gap-3">
            <Button variant="secondary" busy={resend.state === "busy"} onClick={() => void onResend()}>
              Resend the email
            </Button>
            {resend.state === "sent" && <span role="status">Sent again.</span>}
          </div>
        )}
        {resend.state === "error" && <Alert tone="error">{resend.message}</Alert>}
      </Card>
      <DevMailboxNotice prominent />
      <ElsewhereLink prompt="Confirmed already?" to="/sign-in">
        Sign in
      </ElsewhereLink>
    </div>
  );
}
