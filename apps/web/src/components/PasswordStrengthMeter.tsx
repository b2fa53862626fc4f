import { useEffect, useState } from "react";
import { estimateStrength, type StrengthEstimate } from "../lib/password-strength.ts";

const labels = ["Very weak", "Weak", "Fair", "Strong", "Very strong"] as const;
const barColours = ["bg-danger", "bg-danger", "bg-warning", "bg-success", "bg-success"] as const;
const minimumLength = 12;

/** How hard the new password is to guess, rated by the same zxcvbn dictionaries as the server. */
export function PasswordStrengthMeter({ password, userInputs }: { password: string; userInputs: string[] }) {
  const [estimate, setEstimate] = useState<StrengthEstimate | undefined>();
  const inputsKey = userInputs.join("\n");

  useEffect(() => {
    if (!password) {
      setEstimate(undefined);
      return;
    }
    let current = true;
    void estimateStrength(password, inputsKey.split("\n")).then((result) => {
      if (current) setEstimate(result);
    });
    return () => {
      current = false;
    };
  }, [password, inputsKey]);

  if (!password) return null;
  const tooShort = [...password.normalize("NFKC")].length < minimumLength;
  const score = estimate ? (tooShort ? Math.min(estimate.score, 1) : estimate.score) : 0;
  const label = estimate ? labels[score] : "Checking…";
  const advice = tooShort
    ? `Use at least ${minimumLength} characters. A few unrelated words work well.`
    : (estimate?.warning ?? estimate?.suggestions[0] ?? (score >= 3 ? "Good choice." : undefined));

  return (
    <div className="grid gap-1.5" data-testid="password-strength">
      <div className="flex gap-1" aria-hidden="true">
        {[0, 1, 2, 3].map((step) => (
          <span
            key={step}
            className={`h-1.5 flex-1 rounded-full ${estimate && score > step ? barColours[score] : "bg-line"}`}
          />
        ))}
      </div>
      <p className="text-sm text-muted" aria-live="polite">
        Strength: <span className="font-medium text-fg">{label}</span>
        {advice ? ` — ${advice}` : ""}
      </p>
    </div>
  );
}
