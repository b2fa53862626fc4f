import { useMutation } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import { useWatch } from "react-hook-form";
import { type AppCode, appCodeOf, tryAgainIn } from "../../api/app-error.ts";
import { acceptAuthResult } from "../../auth/session.ts";
import { AuthForm, NewPasswordField } from "../../components/form-parts.tsx";
import { Card, TextField } from "../../components/ui.tsx";
import { showServerError, useSchemaForm } from "../../forms/schema-form.ts";
import { acceptInvitationInput } from "../../forms/schemas.ts";
import { weakPasswordMessage } from "../../forms/weak-password.ts";
import { useTRPC } from "../../trpc.ts";
import { AuthPage } from "./AuthPage.tsx";
import { OneTimeTokenProblem } from "./OneTimeTokenProblem.tsx";

const form = acceptInvitationInput.pick({ displayName: true, password: true });
const retry = { to: "/sign-in", label: "Already have an account? Sign in" } as const;

function InvitationProblem({ code }: { code: AppCode | undefined }) {
  return (
    <div className="grid gap-3">
      <OneTimeTokenProblem error={undefined} code={code} retry={retry} />
      <p className="text-sm text-muted">
        An invitation works once and for 7 days. Ask the person who invited you to send a new one.
      </p>
    </div>
  );
}

/** Opened from the `invitation` email: the invitee chooses a password and is signed in to the new account. */
export function AcceptInvitationPage() {
  // Two paths lead here (the emailed one and a longer alias), so the search is read without naming a route.
  const { token } = useSearch({ strict: false }) as { token?: string };
  return (
    <AuthPage
      title="Join Tidings"
      description="You have been invited. Choose a password to create your account; your email address is already confirmed."
    >
      <Card>{token ? <AcceptInvitationForm token={token} /> : <InvitationProblem code={undefined} />}</Card>
    </AuthPage>
  );
}

function AcceptInvitationForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const [deadCode, setDeadCode] = useState<AppCode | undefined>();
  const schemaForm = useSchemaForm(form, { displayName: "", password: "" });
  const [displayName = "", password = ""] = useWatch({
    control: schemaForm.control,
    name: ["displayName", "password"],
  });
  const accept = useMutation(
    trpc.auth.acceptInvitation.mutationOptions({
      onSuccess: async (result) => {
        acceptAuthResult(result);
        await navigate({ to: "/dashboard", search: { welcome: true }, replace: true });
      },
      onError: (error) => {
        const code = appCodeOf(error);
        if (code === "TOKEN_INVALID" || code === "TOKEN_EXPIRED") return setDeadCode(code);
        showServerError(schemaForm, error, (data) => {
          if (data.appCode === "WEAK_PASSWORD") return { field: "password", message: weakPasswordMessage(data) };
          if (data.appCode === "RATE_LIMITED") return { form: `Too many attempts. ${tryAgainIn(data)}` };
          return undefined;
        });
      },
    }),
  );
  const onSubmit = schemaForm.handleSubmit((input) =>
    accept.mutate({ token, password: input.password, displayName: input.displayName || undefined }),
  );
  const { errors } = schemaForm.formState;

  if (deadCode) return <InvitationProblem code={deadCode} />;
  return (
    <AuthForm
      onSubmit={onSubmit}
      error={errors.root?.server?.message}
      busy={accept.isPending}
      submitLabel="Create account and sign in"
    >
      <TextField
        id="invite-name"
        label="Your name (optional)"
        autoComplete="name"
        error={errors.displayName?.message}
        {...schemaForm.register("displayName")}
      />
      <NewPasswordField
        id="invite-password"
        label="Password"
        error={errors.password?.message}
        password={password}
        owner={{ displayName }}
        {...schemaForm.register("password")}
      />
    </AuthForm>
  );
}
