import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode, Ref } from "react";

type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";

const buttonStyles: Record<ButtonVariant, string> = {
  primary: "bg-accent text-accent-fg hover:bg-accent-hover shadow-sm",
  secondary: "bg-surface text-fg border border-line hover:bg-surface-muted",
  danger: "bg-surface text-danger border border-line hover:bg-danger-soft",
  ghost: "text-fg hover:bg-surface-muted",
};

export function buttonClass(variant: ButtonVariant = "primary", extra = "") {
  return `inline-flex items-center justify-center gap-2 rounded-lg px-4 py-2.5 text-sm font-semibold transition-colors disabled:cursor-not-allowed disabled:opacity-60 ${buttonStyles[variant]} ${extra}`;
}

export function Button({
  variant = "primary",
  className = "",
  busy = false,
  children,
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; busy?: boolean }) {
  return (
    <button
      type="button"
      className={buttonClass(variant, className)}
      disabled={busy || props.disabled}
      aria-busy={busy || undefined}
      {...props}
    >
      {busy && <Spinner />}
      {children}
    </button>
  );
}

export function Spinner() {
  return (
    <span
      className="size-4 animate-spin rounded-full border-2 border-current border-t-transparent"
      aria-hidden="true"
    />
  );
}

/** The label over a form control. */
export function FieldLabel({ htmlFor, children }: { htmlFor: string; children: ReactNode }) {
  return (
    <label htmlFor={htmlFor} className="text-sm font-medium">
      {children}
    </label>
  );
}

interface TextFieldProps extends InputHTMLAttributes<HTMLInputElement> {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  /** Extra content under the input that belongs to the field, such as a strength meter. */
  below?: ReactNode;
  /** A control drawn inside the input's box at its end, such as the show-password button. */
  trailing?: ReactNode;
  ref?: Ref<HTMLInputElement>;
}

/** A labelled input; the rest of the props (react-hook-form's `register`, say) go to the input. */
export function TextField({ id, label, error, hint, below, trailing, ref, className = "", ...props }: TextFieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  const input = (
    <input
      ref={ref}
      id={id}
      aria-invalid={error ? true : undefined}
      aria-describedby={describedBy}
      className={`w-full rounded-lg border bg-surface px-3 py-2.5 text-base text-fg shadow-xs placeholder:text-muted read-only:bg-surface-muted sm:text-sm ${
        error ? "border-danger" : "border-line"
      } ${trailing ? "pr-20" : ""} ${className}`}
      {...props}
    />
  );
  return (
    <div className="grid gap-1.5">
      <FieldLabel htmlFor={id}>{label}</FieldLabel>
      {trailing ? (
        <div className="relative">
          {input}
          <div className="absolute inset-y-0 right-0 flex items-center pr-1.5">{trailing}</div>
        </div>
      ) : (
        input
      )}
      {error && (
        <p id={errorId} className="text-sm text-danger" data-field-error={id}>
          {error}
        </p>
      )}
      {hint && (
        <div id={hintId} className="text-sm text-muted">
          {hint}
        </div>
      )}
      {below}
    </div>
  );
}

type AlertTone = "error" | "success" | "info" | "warning";

const alertStyles: Record<AlertTone, string> = {
  error: "bg-danger-soft text-danger border-danger/30",
  success: "bg-success-soft text-success border-success/30",
  info: "bg-accent-soft text-fg border-accent/30",
  warning: "bg-warning-soft text-warning border-warning/30",
};

export function Alert({
  tone,
  children,
  ref,
  testId,
}: {
  tone: AlertTone;
  children: ReactNode;
  ref?: Ref<HTMLDivElement>;
  testId?: string;
}) {
  return (
    <div
      ref={ref}
      tabIndex={-1}
      role={tone === "error" || tone === "warning" ? "alert" : "status"}
      data-testid={testId}
      className={`rounded-lg border px-4 py-3 text-sm ${alertStyles[tone]}`}
    >
      {children}
    </div>
  );
}

export function Card({ children, className = "" }: { children: ReactNode; className?: string }) {
  return (
    <div className={`rounded-2xl border border-line bg-surface p-5 shadow-sm sm:p-6 ${className}`}>{children}</div>
  );
}

type BadgeTone = "neutral" | "accent" | "success" | "danger" | "warning";

const badgeStyles: Record<BadgeTone, string> = {
  neutral: "bg-surface-muted text-muted",
  accent: "bg-accent-soft text-link",
  success: "bg-success-soft text-success",
  danger: "bg-danger-soft text-danger",
  warning: "bg-warning-soft text-warning",
};

export function Badge({ tone = "neutral", children }: { tone?: BadgeTone; children: ReactNode }) {
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-semibold ${badgeStyles[tone]}`}>
      {children}
    </span>
  );
}
