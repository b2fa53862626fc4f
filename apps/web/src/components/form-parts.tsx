import type { ComponentProps, FormEvent, ReactNode, Ref } from "react";
import { preloadStrengthEstimator } from "../lib/password-strength.ts";
import { PasswordStrengthMeter } from "./PasswordStrengthMeter.tsx";
import { Alert, Button, TextField } from "./ui.tsx";

/** A password field for choosing a new password, with the policy hint and a live strength meter. */
export function NewPasswordField({
  id,
  label,
  value,
  onValueChange,
  error,
  userInputs,
}: {
  id: string;
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  error: string | undefined;
  /** Things the user typed elsewhere (email, name) that make a password easier to guess. */
  userInputs: string[];
}) {
  return (
    <TextField
      id={id}
      label={label}
      type="password"
      autoComplete="new-password"
      value={value}
      onFocus={preloadStrengthEstimator}
      onValueChange={onValueChange}
      error={error}
      hint="At least 12 characters. Spaces, symbols and emoji are welcome."
      below={<PasswordStrengthMeter password={value} userInputs={userInputs} />}
    />
  );
}

/** The form-level error from useForm, which takes focus when a submit fails without a field to blame. */
export function FormError({
  form,
  testId,
}: {
  form: { formError: string | undefined; formErrorRef: Ref<HTMLDivElement> };
  testId?: string;
}) {
  if (!form.formError) return null;
  return (
    <Alert tone="error" ref={form.formErrorRef} testId={testId}>
      {form.formError}
    </Alert>
  );
}

/** A form's submit button, busy while the form is submitting. */
export function SubmitButton({
  form,
  className,
  children,
}: {
  form: { submitting: boolean };
  className?: string;
  children: ReactNode;
}) {
  return (
    <Button type="submit" busy={form.submitting} className={className}>
      {children}
    </Button>
  );
}

/**
 * The form on the signed-out pages: its fields, then any form-level error and a full-width submit
 * button. Browser validation is off so the schema's messages show instead.
 */
export function AuthForm({
  form,
  submitLabel,
  children,
}: {
  form: {
    onSubmit: (event: FormEvent) => void;
    formError: string | undefined;
    formErrorRef: Ref<HTMLDivElement>;
    submitting: boolean;
  };
  submitLabel: string;
  children: ReactNode;
}) {
  return (
    <form className="grid gap-5" onSubmit={form.onSubmit} noValidate>
      {children}
      <FormError form={form} testId="form-error" />
      <SubmitButton form={form} className="w-full">
        {submitLabel}
      </SubmitButton>
    </form>
  );
}

/** The email address field; `autoComplete` says whether it names a new address or the account signing in. */
export function EmailField(
  props: Omit<ComponentProps<typeof TextField>, "label" | "type" | "autoComplete"> & {
    autoComplete: "email" | "username";
  },
) {
  return <TextField label="Email" type="email" {...props} />;
}
