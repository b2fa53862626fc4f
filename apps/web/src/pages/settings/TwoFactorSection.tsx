import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ComponentProps, useState } from "react";
import { SettingsForm } from "../../components/form-parts.tsx";
import { Alert, Button, Card, TextField } from "../../components/ui.tsx";
import { showServerError, useSchemaForm } from "../../forms/schema-form.ts";
import { disableTotpInput, passwordOnlyInput, totpCodeInput } from "../../forms/schemas.ts";
import { useTRPC } from "../../trpc.ts";

type Notice = { tone: "success" | "error"; text: string };

/**
 * Two-factor codes from an authenticator app: set up by scanning a QR code and confirming a first
 * code; recovery codes shown once (download or print) and renewable; turned off with password and code.
 */
export function TwoFactorSection({
  enabled,
  recoveryCodesLeft,
  onNotice,
}: {
  enabled: boolean;
  recoveryCodesLeft: number;
  onNotice: (notice: Notice | undefined) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.mfa.status.queryKey() });
  const [codes, setCodes] = useState<string[] | undefined>();
  const setup = useMutation(trpc.mfa.totp.setup.mutationOptions());

  if (codes) return <RecoveryCodes codes={codes} onDone={() => setCodes(undefined)} />;

  return (
    <section data-testid="two-factor">
      <Card className="grid gap-5">
        <div className="grid gap-1">
          <h2 className="text-lg font-semibold">Two-factor authentication</h2>
          <p className="text-sm text-muted">
            {enabled
              ? `On: signing in with your password also asks for a code from your authenticator app. ${recoveryCodesLeft} recovery code${recoveryCodesLeft === 1 ? "" : "s"} left.`
              : "Off. Turn it on so that a stolen password alone cannot open your account."}
          </p>
        </div>
        {enabled ? (
          <EnabledActions
            onCodes={(fresh) => {
              setCodes(fresh);
              onNotice({ tone: "success", text: "New recovery codes made. The old ones no longer work." });
            }}
            onDisabled={() => {
              onNotice({ tone: "success", text: "Two-factor authentication is off." });
              void refresh();
            }}
          />
        ) : setup.data ? (
          <ConfirmSetup
            secret={setup.data.secret}
            qrSvg={setup.data.qrSvg}
            onEnabled={(fresh) => {
              setup.reset();
              setCodes(fresh);
              onNotice({ tone: "success", text: "Two-factor authentication is on." });
              void refresh();
            }}
          />
        ) : (
          <div className="grid gap-2">
            {setup.isError && <Alert tone="error">{setup.error.message}</Alert>}
            <div>
              <Button busy={setup.isPending} onClick={() => setup.mutate()}>
                Turn on two-factor authentication
              </Button>
            </div>
          </div>
        )}
      </Card>
    </section>
  );
}

function ConfirmSetup({
  secret,
  qrSvg,
  onEnabled,
}: {
  secret: string;
  qrSvg: string;
  onEnabled: (codes: string[]) => void;
}) {
  const trpc = useTRPC();
  const form = useSchemaForm(totpCodeInput, { code: "" });
  const enable = useMutation(
    trpc.mfa.totp.enable.mutationOptions({
      onSuccess: ({ recoveryCodes }) => onEnabled(recoveryCodes),
      onError: (error) => showServerError(form, error),
    }),
  );
  return (
    <SettingsForm
      onSubmit={form.handleSubmit((input) => enable.mutate(input))}
      error={form.formState.errors.root?.server?.message}
      busy={enable.isPending}
      submitLabel="Turn on"
    >
      <ol className="grid list-decimal gap-3 pl-5 text-sm">
        <li>
          Scan this code with your authenticator app (1Password, Google Authenticator, Aegis, …).
          <img
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg)}`}
            alt="QR code for your authenticator app"
            className="mt-3 size-48 rounded-lg bg-white p-2"
            data-testid="totp-qr"
          />
        </li>
        <li>
          Or type this key into it:{" "}
          <code className="rounded bg-surface-muted px-1.5 py-0.5 font-mono break-all" data-testid="totp-secret">
            {secret}
          </code>
        </li>
        <li>Enter the six-digit code the app shows.</li>
      </ol>
      <TextField
        id="totp-code"
        label="Code from the app"
        inputMode="numeric"
        autoComplete="one-time-code"
        error={form.formState.errors.code?.message}
        {...form.register("code")}
      />
    </SettingsForm>
  );
}

function EnabledActions({ onCodes, onDisabled }: { onCodes: (codes: string[]) => void; onDisabled: () => void }) {
  const trpc = useTRPC();
  const renewForm = useSchemaForm(passwordOnlyInput, { password: "" });
  const renew = useMutation(
    trpc.mfa.recoveryCodes.regenerate.mutationOptions({
      onSuccess: ({ recoveryCodes }) => onCodes(recoveryCodes),
      onError: (error) => showServerError(renewForm, error),
    }),
  );
  const offForm = useSchemaForm(disableTotpInput, { password: "", code: "" });
  const turnOff = useMutation(
    trpc.mfa.totp.disable.mutationOptions({
      onSuccess: onDisabled,
      onError: (error) => showServerError(offForm, error),
    }),
  );
  return (
    <div className="grid gap-6 md:grid-cols-2">
      <SettingsForm
        className="grid content-start gap-3"
        heading={{ id: "renew-codes-heading", text: "New recovery codes" }}
        onSubmit={renewForm.handleSubmit((input) => renew.mutate(input))}
        error={renewForm.formState.errors.root?.server?.message}
        busy={renew.isPending}
        submitLabel="Make new recovery codes"
        submitVariant="secondary"
      >
        <YourPasswordField
          id="renew-password"
          error={renewForm.formState.errors.password?.message}
          {...renewForm.register("password")}
        />
      </SettingsForm>
      <SettingsForm
        className="grid content-start gap-3"
        heading={{ id: "turn-off-heading", text: "Turn off" }}
        onSubmit={offForm.handleSubmit((input) => turnOff.mutate(input))}
        error={offForm.formState.errors.root?.server?.message}
        busy={turnOff.isPending}
        submitLabel="Turn off two-factor"
        submitVariant="danger"
      >
        <YourPasswordField
          id="off-password"
          error={offForm.formState.errors.password?.message}
          {...offForm.register("password")}
        />
        <TextField
          id="off-code"
          label="Code from the app, or a recovery code"
          inputMode="text"
          autoComplete="one-time-code"
          error={offForm.formState.errors.code?.message}
          {...offForm.register("code")}
        />
      </SettingsForm>
    </div>
  );
}

/** The password that confirms a change to two-factor, as typed at sign-in. */
function YourPasswordField(props: Omit<ComponentProps<typeof TextField>, "type" | "label" | "autoComplete">) {
  return <TextField type="password" label="Your password" autoComplete="current-password" {...props} />;
}

/** Shown once: the server keeps only their hashes. */
function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const text = `Tidings recovery codes (each works once)\n\n${codes.join("\n")}\n`;
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "tidings-recovery-codes.txt";
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Card className="grid gap-4">
      <div className="grid gap-1">
        <h2 className="text-lg font-semibold">Save your recovery codes</h2>
        <p className="text-sm text-muted">
          If you lose your phone, each of these signs you in once instead of a code. They are shown only now: download
          or print them and keep them somewhere safe.
        </p>
      </div>
      <ul className="grid gap-2 font-mono text-sm sm:grid-cols-2" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code} className="rounded bg-surface-muted px-2 py-1 text-center">
            {code}
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap gap-3">
        <Button variant="secondary" onClick={download}>
          Download
        </Button>
        <Button variant="secondary" onClick={() => window.print()}>
          Print
        </Button>
        <Button onClick={onDone}>I have saved them</Button>
      </div>
    </Card>
  );
}
