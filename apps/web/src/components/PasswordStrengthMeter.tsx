import type { PasswordOwner } from "@tidings/auth/browser-safe";
import { useEffect, useState } from "react";
import { estimateStrength, type StrengthEstimate } from "../lib/password-strength.ts";
import { judgeNewPassword } from "../lib/password-verdict.ts";

/** How hard the new password is to guess, judged by the server's own policy and dictionaries. */
export function PasswordStrengthMeter({ password, owner }: { password: string; owner: PasswordOwner }) {
  const [estimate, setEstimate] = useState<{ for: string; result: StrengthEstimate } | undefined>();
  const email = owner.email ?? "";
  const displayName = owner.displayName ?? "";

  useEffect(() => {
    if (!password) return;
    let current = true;
    void estimateStrength(password, { email, displayName }).then((result) => {
      if (current) setEstimate({ for: password, result });
    });
    return () => {
      current = false;
    };
  }, [password, email, displayName]);

  if (!password) return null;
  const verdict = estimate?.for === password ? judgeNewPassword(password, owner, estimate.result) : undefined;
  const colour = verdict?.accepted ? "bg-success" : verdict?.bars === 2 ? "bg-warning" : "bg-danger";

  return (
    <div className="grid gap-1.5" data-testid="password-strength">
      <div className="flex gap-1" aria-hidden="true">
        {[1, 2, 3, 4].map((step) => (
          <span
            key={step}
            className={`h-1.5 flex-1 rounded-full ${verdict && verdict.bars >= step ? colour : "bg-line"}`}
          />
        ))}
      </div>
      <p className="text-sm text-muted" aria-live="polite">
        Strength: <span className="font-medium text-fg">{verdict?.label ?? "Checking…"}</span>
        {verdict?.advice ? ` — ${verdict.advice}` : ""}
      </p>
    </div>
  );
}
