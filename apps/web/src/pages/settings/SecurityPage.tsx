import { startRegistration } from "@simplewebauthn/browser";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { generalMessage } from "../../api/app-error.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { SettingsForm } from "../../components/form-parts.tsx";
import { KeyIcon } from "../../components/icons.tsx";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, Button, Card, TextField } from "../../components/ui.tsx";
import { showServerError, useSchemaForm } from "../../forms/schema-form.ts";
import { passkeyNameInput } from "../../forms/schemas.ts";
import { formatDateTime, timeAgo } from "../../lib/format-time.ts";
import { isPasskeyPromptError, passkeyPromptMessage } from "../../lib/passkeys.ts";
import { useTRPC } from "../../trpc.ts";
import { TwoFactorSection } from "./TwoFactorSection.tsx";

/** Security settings: two-factor codes and recovery codes, and the passkeys that sign in (add, list, remove). */
export function SecurityPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery({ ...trpc.mfa.status.queryOptions(), staleTime: 0, refetchOnMount: "always" });
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | undefined>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.mfa.status.queryKey() });

  const form = useSchemaForm(passkeyNameInput, { name: "" });
  const registerOptions = useMutation(trpc.mfa.passkey.registerOptions.mutationOptions());
  const register = useMutation(trpc.mfa.passkey.register.mutationOptions());
  const add = useMutation({
    // The browser asks the authenticator to make the key; only its public part reaches the server.
    mutationFn: async (name: string) => {
      const optionsJSON = await registerOptions.mutateAsync();
      const response = await startRegistration({ optionsJSON });
      return register.mutateAsync({ name, response });
    },
    onMutate: () => setNotice(undefined),
    onSuccess: (passkey) => {
      form.reset({ name: "" });
      setNotice({ tone: "success", text: `Passkey “${passkey.name}” added. You can now sign in with it.` });
    },
    onError: (error) => {
      // The browser's own refusals (cancelled prompt, key already here) are not server errors.
      if (isPasskeyPromptError(error)) {
        form.setError("root.server", { type: "server", message: passkeyPromptMessage(error) });
        return;
      }
      showServerError(form, error);
    },
    onSettled: refresh,
  });
  const remove = useMutation(
    trpc.mfa.passkey.remove.mutationOptions({
      onSuccess: () => setNotice({ tone: "success", text: "Passkey removed. It can no longer sign in." }),
      onError: (error) => setNotice({ tone: "error", text: generalMessage(error) }),
      onSettled: refresh,
    }),
  );
  const onSubmit = form.handleSubmit((input) => add.mutate(input.name));
  const passkeys = status.data?.passkeys;

  return (
    <>
      <PageHeading description="A second step at sign-in, and passkeys: your device's screen lock or a security key instead of a password.">
        Security
      </PageHeading>
      {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}
      {status.data && (
        <TwoFactorSection
          enabled={status.data.totp}
          recoveryCodesLeft={status.data.recoveryCodesLeft}
          onNotice={setNotice}
        />
      )}
      <Card className="grid gap-5">
        {/* Heading and description as in the two-factor card above, so the two read as a pair. */}
        <div className="grid gap-1">
          <h2 className="text-lg font-semibold">Passkeys</h2>
          <p className="text-sm text-muted">
            Sign in with your fingerprint, face, screen lock or a security key: nothing to type, nothing to steal.
          </p>
        </div>
        {status.isError && <Alert tone="error">{generalMessage(status.error)}</Alert>}
        {passkeys && passkeys.length === 0 && (
          <p className="text-sm text-muted" data-testid="no-passkeys">
            You have no passkeys yet. Name one below, then follow your browser's prompt to add it.
          </p>
        )}
        {passkeys && passkeys.length > 0 && (
          <ul className="divide-y divide-line" data-testid="passkey-list">
            {passkeys.map((passkey) => (
              <li
                key={passkey.id}
                className="flex flex-col gap-3 py-4 sm:flex-row sm:items-center"
                data-testid="passkey"
              >
                <span className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-surface-muted text-muted">
                  <KeyIcon />
                </span>
                <div className="grid min-w-0 flex-1 gap-0.5">
                  <p className="font-medium break-words">{passkey.name}</p>
                  <p className="text-sm text-muted">
                    Added {formatDateTime(passkey.createdAt)} ·{" "}
                    {passkey.lastUsedAt ? (
                      <>
                        Last used{" "}
                        <time dateTime={passkey.lastUsedAt.toISOString()} title={formatDateTime(passkey.lastUsedAt)}>
                          {timeAgo(passkey.lastUsedAt)}
                        </time>
                      </>
                    ) : (
                      "Never used"
                    )}
                  </p>
                </div>
                <ConfirmDialog
                  trigger={
                    <Button variant="danger" aria-label={`Remove passkey ${passkey.name}`}>
                      Remove
                    </Button>
                  }
                  title={`Remove the passkey “${passkey.name}”?`}
                  description="It will no longer sign in to your account. You can add it again later."
                  confirmLabel="Remove passkey"
                  onConfirm={() => remove.mutateAsync({ passkeyId: passkey.id })}
                />
              </li>
            ))}
          </ul>
        )}
        <SettingsForm
          className="grid gap-4 border-t border-line pt-5"
          onSubmit={onSubmit}
          error={form.formState.errors.root?.server?.message}
          busy={add.isPending}
          submitLabel="Add a passkey"
        >
          <TextField
            id="passkey-name"
            label="Name for a new passkey"
            placeholder="e.g. Work laptop"
            hint="So you can tell your passkeys apart."
            error={form.formState.errors.name?.message}
            {...form.register("name")}
          />
        </SettingsForm>
      </Card>
    </>
  );
}
