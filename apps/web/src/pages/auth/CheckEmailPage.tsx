import { useMutation } from "@tanstack/react-query";
import { useLocation } from "@tanstack/react-router";
import { appErrorData, tryAgainIn } from "../../api/app-error.ts";
import { DevMailboxNotice } from "../../components/DevMailboxNotice.tsx";
import { EmailAddress } from "../../components/EmailAddress.tsx";
import { MailIcon } from "../../components/icons.tsx";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, Button, Card } from "../../components/ui.tsx";
import { useTRPC } from "../../trpc.ts";
import { ElsewhereLink } from "./ElsewhereLink.tsx";

function resendProblem(error: unknown): string {
  const data = appErrorData(error);
  return data.appCode === "RATE_LIMITED"
    ? `Too many emails. ${tryAgainIn(data)}`
    : "Could not send the email. Try again in a moment.";
}

export function CheckEmailPage() {
  const trpc = useTRPC();
  // Sign-up puts the address in history state: it survives a reload but never reaches the URL.
  const email = useLocation({ select: (location) => location.state.checkEmail });
  const resend = useMutation(trpc.auth.resendVerification.mutationOptions());

  return (
    <div className="grid gap-6">
      <div className="flex size-12 items-center justify-center rounded-xl bg-accent-soft text-link">
        <MailIcon width={28} height={28} />
      </div>
      <PageHeading>Check your email</PageHeading>
      <Card className="grid gap-4">
        <p>
          We sent a confirmation link to{" "}
          {email ? (
            <strong>
              <EmailAddress email={email} />
            </strong>
          ) : (
            "your email address"
          )}
          . Open it on this device to finish setting up your account. The link works for 24 hours.
        </p>
        <p className="text-sm text-muted">Nothing there? Look in your spam folder, or send it again.</p>
        {email && (
          <div className="flex flex-wrap items-center gap-3">
            <Button variant="secondary" busy={resend.isPending} onClick={() => resend.mutate({ email })}>
              Resend the email
            </Button>
            {resend.isSuccess && <span role="status">Sent again.</span>}
          </div>
        )}
        {resend.isError && <Alert tone="error">{resendProblem(resend.error)}</Alert>}
      </Card>
      <DevMailboxNotice prominent />
      <ElsewhereLink prompt="Confirmed already?" to="/sign-in">
        Sign in
      </ElsewhereLink>
    </div>
  );
}
