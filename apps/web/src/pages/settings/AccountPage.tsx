import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type ComponentProps, useState } from "react";
import { useWatch } from "react-hook-form";
import { z } from "zod";
import { type AppErrorData, generalMessage, tryAgainIn } from "../../api/app-error.ts";
import { endSession } from "../../auth/session.ts";
import { useUser } from "../../auth/use-session.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { EmailAddress } from "../../components/EmailAddress.tsx";
import { FormError, PasswordField, SettingsForm } from "../../components/form-parts.tsx";
import { PageHeading } from "../../components/PageHeading.tsx";
import { Alert, Button, buttonClass, Card, TextField } from "../../components/ui.tsx";
import { showServerError, useSchemaForm } from "../../forms/schema-form.ts";
import { changeEmailInput, deleteAccountInput } from "../../forms/schemas.ts";
import { formatDateTime } from "../../lib/format-time.ts";
import { useTRPC } from "../../trpc.ts";

/** What the person types to show they mean it; plain words, so it reads the same in every keyboard layout. */
const DELETE_PHRASE = "delete my account";

// The second factor is optional in the form: the server asks for it (MFA_REQUIRED) only when two-factor is on.
const secondFactor = z.string().trim().max(64, "Use at most 64 characters");
const changeEmailForm = changeEmailInput.extend({ code: secondFactor });
const deleteForm = deleteAccountInput.extend({
  code: secondFactor,
  confirmation: z
    .string()
    .refine((typed) => typed.trim().toLowerCase() === DELETE_PHRASE, `Type “${DELETE_PHRASE}” to confirm`),
});

/** Where each step-up failure belongs: a wrong password by the password, a missing or wrong code by the code. */
function stepUpError(data: AppErrorData, error: unknown) {
  if (data.appCode === "INVALID_CREDENTIALS")
    return { field: "password" as const, message: "That is not your password." };
  if (data.appCode === "MFA_REQUIRED") {
    return { field: "code" as const, message: "Enter a code from your authenticator app, or a recovery code." };
  }
  if (data.appCode === "MFA_INVALID") {
    return { field: "code" as const, message: "That code is not right, or was used already." };
  }
  if (data.appCode === "RATE_LIMITED") return { form: `Too many attempts. ${tryAgainIn(data)}` };
  return data.appCode === "INVALID_INPUT" ? undefined : { form: generalMessage(error) };
}

export function AccountPage() {
  const trpc = useTRPC();
  // Two-factor on means each of these changes also asks for a code (the server decides; this only shows the field).
  const mfa = useQuery({ ...trpc.mfa.status.queryOptions(), retry: false });
  const [codeAsked, setCodeAsked] = useState(false);
  const askCode = Boolean(mfa.data?.totp) || codeAsked;

  return (
    <>
      <PageHeading description="Your sign-in address, a copy of your data, and closing the account.">
        Account
      </PageHeading>
      <ChangeEmailCard askCode={askCode} onCodeAsked={() => setCodeAsked(true)} />
      <ExportCard />
      <DeleteAccountCard askCode={askCode} onCodeAsked={() => setCodeAsked(true)} />
    </>
  );
}

function SecondFactorField(props: Omit<ComponentProps<typeof TextField>, "label">) {
  return (
    <TextField
      label="Two-factor code"
      autoComplete="one-time-code"
      inputMode="text"
      spellCheck={false}
      hint="A code from your authenticator app, or one of your recovery codes."
      {...props}
    />
  );
}

function ChangeEmailCard({ askCode, onCodeAsked }: { askCode: boolean; onCodeAsked: () => void }) {
  const trpc = useTRPC();
  const user = useUser();
  const [sentTo, setSentTo] = useState<string | undefined>();
  const form = useSchemaForm(changeEmailForm, { newEmail: "", password: "", code: "" });
  const change = useMutation(
    trpc.account.changeEmail.mutationOptions({
      onSuccess: (_result, input) => {
        setSentTo(input.newEmail);
        form.reset({ newEmail: "", password: "", code: "" });
      },
      onError: (error) =>
        showServerError(form, error, (data) => {
          if (data.appCode === "MFA_REQUIRED") onCodeAsked();
          return stepUpError(data, error);
        }),
    }),
  );
  const onSubmit = form.handleSubmit((input) =>
    change.mutate({ newEmail: input.newEmail, password: input.password, code: input.code || undefined }),
  );
  const { errors } = form.formState;

  return (
    <Card className="grid gap-5">
      <section aria-labelledby="email-heading" className="grid gap-5">
        <div className="grid gap-1">
          <h2 id="email-heading" className="text-lg font-semibold">
            Email address
          </h2>
          <p className="text-sm text-muted">
            You sign in with <EmailAddress email={user.email} className="font-medium text-fg" />. Nothing changes until
            you open the link we send to the new address; we tell your current address when it does.
          </p>
        </div>
        {sentTo && (
          <Alert tone="success" testId="email-change-sent">
            Check your new inbox: we sent a link to <EmailAddress email={sentTo} className="font-semibold" />. Open it
            within 24 hours to finish the change. Afterwards you sign in with the new address on every device.
          </Alert>
        )}
        <SettingsForm
          className="grid gap-5"
          onSubmit={onSubmit}
          error={errors.root?.server?.message}
          busy={change.isPending}
          submitLabel="Send confirmation link"
        >
          <TextField
            id="new-email"
            type="email"
            autoComplete="email"
            label="New email address"
            error={errors.newEmail?.message}
            {...form.register("newEmail", { onChange: () => setSentTo(undefined) })}
          />
          <PasswordField
            id="email-password"
            label="Current password"
            autoComplete="current-password"
            error={errors.password?.message}
            {...form.register("password")}
          />
          {askCode && <SecondFactorField id="email-code" error={errors.code?.message} {...form.register("code")} />}
        </SettingsForm>
      </section>
    </Card>
  );
}

function ExportCard() {
  const trpc = useTRPC();
  const exportData = useMutation(trpc.account.export.mutationOptions());
  return (
    <Card>
      <section aria-labelledby="export-heading" className="grid gap-4">
        <div className="grid gap-1">
          <h2 id="export-heading" className="text-lg font-semibold">
            Download your data
          </h2>
          <p className="text-sm text-muted">
            A ZIP file with your profile, sessions, security activity, mail accounts (without their passwords) and AI
            settings as JSON, and each mail account's messages as an mbox file that mail apps can import. The link works
            for a few minutes and only for you.
          </p>
        </div>
        {exportData.isError && <Alert tone="error">{generalMessage(exportData.error)}</Alert>}
        {exportData.data ? (
          <div className="grid gap-2">
            <a
              href={exportData.data.url}
              download
              className={buttonClass("primary", "w-full no-underline sm:w-fit")}
              data-testid="export-link"
            >
              Download my data
            </a>
            <p className="text-sm text-muted">
              Link valid until{" "}
              <time dateTime={exportData.data.expiresAt.toISOString()}>
                {formatDateTime(exportData.data.expiresAt)}
              </time>
              .{" "}
              <button
                type="button"
                className="font-medium text-link underline"
                onClick={() => exportData.mutate()}
                disabled={exportData.isPending}
              >
                Make a new link
              </button>
            </p>
          </div>
        ) : (
          <div>
            <Button variant="secondary" busy={exportData.isPending} onClick={() => exportData.mutate()}>
              Prepare my download
            </Button>
          </div>
        )}
      </section>
    </Card>
  );
}

function DeleteAccountCard({ askCode, onCodeAsked }: { askCode: boolean; onCodeAsked: () => void }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useSchemaForm(deleteForm, { password: "", code: "", confirmation: "" });
  const confirmation = useWatch({ control: form.control, name: "confirmation" }) ?? "";
  const remove = useMutation(
    trpc.account.delete.mutationOptions({
      onSuccess: async () => {
        // Leave the signed-in frame first: ending the session under it would send this tab to sign-in.
        await navigate({ to: "/account-deleted", replace: true });
        queryClient.clear();
        endSession("signed-out");
      },
      onError: (error) =>
        showServerError(form, error, (data) => {
          if (data.appCode === "MFA_REQUIRED") onCodeAsked();
          return stepUpError(data, error);
        }),
    }),
  );
  // The dialog is the last word; the form's checks run when it is confirmed, and their errors show on the fields.
  const confirmDelete = () =>
    new Promise<void>((resolve) => {
      void form.handleSubmit(
        async (input) => {
          await remove.mutateAsync({ password: input.password, code: input.code || undefined }).catch(() => {});
          resolve();
        },
        () => resolve(),
      )();
    });
  const { errors } = form.formState;
  const typedRight = confirmation.trim().toLowerCase() === DELETE_PHRASE;

  return (
    <Card className="border-danger/40">
      <section aria-labelledby="delete-heading" className="grid gap-5">
        <div className="grid gap-1">
          <h2 id="delete-heading" className="text-lg font-semibold text-danger">
            Delete account
          </h2>
          <p className="text-sm text-muted">
            This deletes your account, your mail accounts, messages, AI data and security history at once, and signs you
            out on every device. It cannot be undone. Download your data first if you want a copy.
          </p>
        </div>
        <form className="grid gap-5" onSubmit={(event) => event.preventDefault()} noValidate>
          <PasswordField
            id="delete-password"
            label="Current password"
            autoComplete="current-password"
            error={errors.password?.message}
            {...form.register("password")}
          />
          {askCode && <SecondFactorField id="delete-code" error={errors.code?.message} {...form.register("code")} />}
          <TextField
            id="delete-confirmation"
            label={`Type “${DELETE_PHRASE}” to confirm`}
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            error={errors.confirmation?.message}
            {...form.register("confirmation")}
          />
          <FormError message={errors.root?.server?.message} />
          <div>
            <ConfirmDialog
              trigger={
                <Button variant="danger" disabled={!typedRight} aria-describedby="delete-heading">
                  Delete my account
                </Button>
              }
              title="Delete your account for good?"
              description="Your account and everything in it are deleted now. You will be signed out everywhere."
              confirmLabel="Delete account"
              confirmVariant="danger"
              onConfirm={confirmDelete}
            />
          </div>
        </form>
      </section>
    </Card>
  );
}
