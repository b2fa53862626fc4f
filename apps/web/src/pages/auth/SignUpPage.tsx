import { useNavigate } from "@tanstack/react-router";
import { appErrorData, tryAgainIn } from "../../api/app-error.ts";
import { apiClient } from "../../api/client.ts";
import { AuthForm, EmailField, NewPasswordField } from "../../components/form-parts.tsx";
import { Card, TextField } from "../../components/ui.tsx";
import { registerInput } from "../../forms/schemas.ts";
import { useForm } from "../../forms/use-form.ts";
import { weakPasswordMessage } from "../../forms/weak-password.ts";
import { AuthPage } from "./AuthPage.tsx";
import { ElsewhereLink } from "./ElsewhereLink.tsx";

export function SignUpPage() {
  const navigate = useNavigate();
  const form = useForm({
    schema: registerInput,
    initial: { displayName: "", email: "", password: "" },
    fieldIds: { displayName: "sign-up-name", email: "sign-up-email", password: "sign-up-password" },
    onSubmit: async (input) => {
      await apiClient.auth.register.mutate({ ...input, displayName: input.displayName || undefined });
      await navigate({ to: "/check-email", search: { email: input.email } });
    },
    onServerError: (error, show) => {
      const data = appErrorData(error);
      if (data.appCode === "WEAK_PASSWORD") {
        show.field("password", weakPasswordMessage(data));
        return true;
      }
      if (data.appCode === "RATE_LIMITED") {
        // The server says which budget ran out: this address's emails, or this network's requests.
        show.form(error instanceof Error ? error.message : tryAgainIn(data));
        return true;
      }
      return false;
    },
  });

  return (
    <AuthPage
      title="Create your account"
      description="Set up Tidings in a minute. We will email you a link to confirm your address."
    >
      <Card>
        <AuthForm form={form} submitLabel="Create account">
          <TextField label="Your name (optional)" autoComplete="name" {...form.field("displayName")} />
          <EmailField autoComplete="email" {...form.field("email")} />
          <NewPasswordField
            label="Password"
            {...form.field("password")}
            userInputs={[form.values.email, form.values.displayName]}
          />
        </AuthForm>
      </Card>
      <ElsewhereLink prompt="Already have an account?" to="/sign-in">
        Sign in
      </ElsewhereLink>
    </AuthPage>
  );
}
