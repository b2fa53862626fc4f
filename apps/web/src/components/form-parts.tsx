import type { PasswordOwner } from "@tidings/auth/browser-safe";
import { type ComponentProps, type FormEventHandler, type ReactNode, useEffect, useRef, useState } from "react";
import { preloadStrengthEstimator } from "../lib/password-strength.ts";
import { PasswordStrengthMeter } from "./PasswordStrengthMeter.tsx";
import { Alert, Button, TextField } from "./ui.tsx";

type FieldProps = Omit<ComponentProps<typeof TextField>, "type">;

/**
 * A password input with a button that shows what was typed: long passphrases are easier to get
 * right when you can read them. The button's name says what pressing it does now ("Show password",
 * "Hide password"), and contains its visible word, for speech input. `secretName` is what the
 * field holds when that is not a password ("key" for an API key: "Show key").
 */
export function PasswordField({ secretName = "password", ...props }: FieldProps & { secretName?: string }) {
  const [shown, setShown] = useState(false);
  return (
    <TextField
      {...props}
      type={shown ? "text" : "password"}
      // Browsers should not offer to correct or capitalise a password shown as text.
      autoCapitalize="off"
      autoCorrect="off"
      spellCheck={false}
      trailing={
        <button
          type="button"
          aria-controls={props.id}
          aria-label={`${shown ? "Hide" : "Show"} ${secretName}`}
          onClick={() => setShown((now) => !now)}
          className="rounded-md px-2.5 py-1.5 text-sm font-medium text-link hover:bg-surface-muted"
        >
          {shown ? "Hide" : "Show"}
        </button>
      }
    />
  );
}

/** A password field for choosing a new password, with the policy hint and a live strength meter. */
export function NewPasswordField({
  password,
  owner,
  ...props
}: Omit<FieldProps, "autoComplete" | "hint" | "below"> & {
  /** What is typed now, for the meter. */
  password: string;
  /** Whose password it is: the policy refuses one made of their email or name. */
  owner: PasswordOwner;
}) {
  return (
    <PasswordField
      {...props}
      autoComplete="new-password"
      onFocus={preloadStrengthEstimator}
      hint="At least 12 characters. Spaces, symbols and emoji are welcome."
      below={<PasswordStrengthMeter password={password} owner={owner} />}
    />
  );
}

/** A form-level error; it takes focus when it appears, since no field is there to take it. */
export function FormError({ message, testId }: { message: string | undefined; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (message) ref.current?.focus();
  }, [message]);
  if (!message) return null;
  return (
    <Alert tone="error" ref={ref} testId={testId}>
      {message}
    </Alert>
  );
}

/** A form's submit button, busy while its mutation runs. */
export function SubmitButton({
  busy,
  variant,
  className,
  children,
}: {
  busy: boolean;
  variant?: ComponentProps<typeof Button>["variant"];
  className?: string;
  children: ReactNode;
}) {
  return (
    <Button type="submit" busy={busy} variant={variant} className={className}>
      {children}
    </Button>
  );
}

/**
 * A form on the settings pages: an optional small heading (for a card that holds more than one
 * form), its fields, then any form-level error and the submit button on a line of its own, at the
 * button's own width. Browser validation is off so the schema's messages show instead.
 */
export function SettingsForm({
  onSubmit,
  error,
  busy,
  submitLabel,
  submitVariant,
  heading,
  className = "grid gap-4",
  children,
}: {
  onSubmit: FormEventHandler<HTMLFormElement>;
  error: string | undefined;
  busy: boolean;
  submitLabel: string;
  submitVariant?: ComponentProps<typeof Button>["variant"];
  heading?: { id: string; text: string };
  className?: string;
  children: ReactNode;
}) {
  return (
    <form className={className} onSubmit={onSubmit} noValidate aria-labelledby={heading?.id}>
      {heading && (
        <h3 id={heading.id} className="font-medium">
          {heading.text}
        </h3>
      )}
      {children}
      <FormError message={error} />
      <div>
        <SubmitButton busy={busy} variant={submitVariant}>
          {submitLabel}
        </SubmitButton>
      </div>
    </form>
  );
}

/**
 * The form on the signed-out pages: its fields, then any form-level error and a full-width submit
 * button. Browser validation is off so the schema's messages show instead.
 */
export function AuthForm({
  onSubmit,
  error,
  busy,
  submitLabel,
  children,
}: {
  onSubmit: FormEventHandler<HTMLFormElement>;
  error: string | undefined;
  busy: boolean;
  submitLabel: string;
  children: ReactNode;
}) {
  return (
    <form className="grid gap-5" onSubmit={onSubmit} noValidate>
      {children}
      <FormError message={error} testId="form-error" />
      <SubmitButton busy={busy} className="w-full">
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
