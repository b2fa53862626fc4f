import { useMutation } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useWatch } from "react-hook-form";
import { tryAgainIn } from "../../api/app-error.ts";
import { AuthForm, EmailField, NewPasswordField } from "../../components/form-parts.tsx";
import { Card, TextField } from "../../components/ui.tsx";
import { showServerError, useSchemaForm } from "../../forms/schema-form.ts";
import { registerInput } from "../../forms/schemas.ts";
import { weakPasswordMessage } from "../../forms/weak-password.ts";
import { useTRPC } from "../../trpc.ts";
import { AuthPage } from "./AuthPage.tsx";
import { ElsewhereLink } from "./ElsewhereLink.tsx";

export function SignUpPage() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const form = useSchemaForm(registerInput, { displayName: "", email: "", password: "" });
  const [email = "", displayName = "", password = ""] = useWatch({
    control: form.control,
    name: ["email", "displayName", "password"],
  });
  const register = useMutation(
    trpc.auth.register.mutationOptions({
      // The address rides in history state, not the URL: it stays out of logs and the Referer.
      onSuccess: (_result, input) => navigate({ to: "/check-email", state: { checkEmail: input.email } }),
      onError: (error) =>
        showServerError(form, error, (data) => {
          if (data.appCode === "WEAK_PASSWORD") return { field: "password", message: weakPasswordMessage(data) };
          // The server says which budget ran out: this address's emails, or this network's requests.
          if (data.appCode === "RATE_LIMITED") return { form: error.message || tryAgainIn(data) };
          return undefined;
        }),
    }),
  );
  const onSubmit = form.handleSubmit((input) =>
    register.mutate({ ...input, displayName: input.displayName || undefined }),
  );
  const { errors } = form.formState;

  return (
    <AuthPage
      title="Create your account"
      description="Set up Tidings in a minute. We will email you a link to confirm your address."
    >
      <Card>
        <AuthForm
          onSubmit={onSubmit}
          error={errors.root?.server?.message}
          busy={register.isPending}
          submitLabel="Create account"
        >
          <TextField
            id="sign-up-name"
            label="Your name (optional)"
            autoComplete="name"
            error={errors.displayName?.message}
            {...form.register("displayName")}
          />
          <EmailField
            id="sign-up-email"
            autoComplete="email"
            error={errors.email?.message}
            {...form.register("email")}
          />
          <NewPasswordField
            id="sign-up-password"
            label="Password"
            error={errors.password?.message}
            password={password}
            owner={{ email, displayName }}
            {...form.register("password")}
          />
        </AuthForm>
      </Card>
      <ElsewhereLink prompt="Already have an account?" to="/sign-in">
        Sign in
      </ElsewhereLink>
    </AuthPage>
  );
}
