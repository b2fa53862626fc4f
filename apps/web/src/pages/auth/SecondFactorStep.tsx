import { startAuthentication } from "@simplewebauthn/browser";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { appCodeOf, appErrorData, generalMessage, tryAgainIn } from "../../api/app-error.ts";
import { acceptAuthResult } from "../../auth/session.ts";
import { FormError, SubmitButton } from "../../components/form-parts.tsx";
import { Button, Card, TextField } from "../../components/ui.tsx";
import { isPasskeyPromptError, passkeyPromptMessage } from "../../lib/passkeys.ts";
import { useTRPC } from "../../trpc.ts";

export interface MfaStep {
  mfaToken: string;
  methods: ("totp" | "recovery" | "passkey")[];
}

/** What a refused second step tells the person: a wrong answer, or a sign-in to start over. */
function stepError(error: unknown): string {
  if (isPasskeyPromptError(error)) return passkeyPromptMessage(error);
  const code = appCodeOf(error);
  if (code === "MFA_INVALID") return "That did not work. Check the code, or try your passkey again.";
  if (code === "TOKEN_INVALID" || code === "TOKEN_EXPIRED") return "This sign-in has expired. Start again.";
  if (code === "RATE_LIMITED") return `Too many attempts. ${tryAgainIn(appErrorData(error))}`;
  return generalMessage(error);
}

/** The second step of a sign-in with two-factor on: a passkey (when the account has one) or a code. */
export function SecondFactorStep({ step, onRestart }: { step: MfaStep; onRestart: () => void }) {
  const trpc = useTRPC();
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | undefined>();
  const passkeyOptions = useMutation(trpc.auth.passkeyOptions.mutationOptions());
  const verify = useMutation(trpc.auth.verifyMfa.mutationOptions({ onSuccess: (result) => acceptAuthResult(result) }));
  const withPasskey = useMutation({
    mutationFn: async () => {
      const optionsJSON = await passkeyOptions.mutateAsync({ mfaToken: step.mfaToken });
      const passkey = await startAuthentication({ optionsJSON });
      return verify.mutateAsync({ mfaToken: step.mfaToken, passkey });
    },
    onMutate: () => setError(undefined),
    onError: (caught) => setError(stepError(caught)),
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const entered = code.trim();
    if (!entered) {
      setError("Enter a code from your authenticator app or a recovery code.");
      return;
    }
    setError(undefined);
    // Six digits are an app code; anything else is read as a recovery code.
    const factor = /^\d{6}$/.test(entered) ? { code: entered } : { recoveryCode: entered };
    verify.mutate({ mfaToken: step.mfaToken, ...factor }, { onError: (caught) => setError(stepError(caught)) });
  };

  return (
    <Card className="grid gap-5">
      <p className="text-sm text-muted">Your password was right. Confirm it is you with your second factor.</p>
      {step.methods.includes("passkey") && (
        <Button onClick={() => withPasskey.mutate()} busy={withPasskey.isPending} className="w-full">
          Use your passkey
        </Button>
      )}
      <form className="grid gap-4" onSubmit={onSubmit} noValidate>
        <TextField
          id="mfa-code"
          label="Authenticator or recovery code"
          autoComplete="one-time-code"
          inputMode="text"
          value={code}
          onChange={(event) => setCode(event.target.value)}
        />
        <FormError message={error} testId="mfa-error" />
        <SubmitButton busy={verify.isPending && !withPasskey.isPending} className="w-full">
          Verify
        </SubmitButton>
      </form>
      <Button variant="ghost" onClick={onRestart}>
        Start over
      </Button>
    </Card>
  );
}
