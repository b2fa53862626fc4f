import { useId, useState } from "react";
import { Card } from "../components/ui.tsx";
import { useNotificationSetting } from "./notifications.ts";

const problems = {
  denied: "This browser blocks notifications from Tidings. Allow them in the site settings, then try again.",
  unsupported: "This browser cannot show desktop notifications.",
};

/** The opt-in for desktop notifications of high-priority mail (asks the browser only on this click). */
export function NotificationSetting() {
  const { supported, enabled, setEnabled } = useNotificationSetting();
  const [problem, setProblem] = useState<string | undefined>();
  const id = useId();
  return (
    <Card className="grid gap-2">
      <div className="flex items-start justify-between gap-4">
        <div className="grid gap-1">
          <h2 className="font-semibold" id={`${id}-label`}>
            Desktop notifications
          </h2>
          <p className="text-sm text-muted" id={`${id}-hint`}>
            A notification when high-priority mail arrives, in this browser only.
          </p>
        </div>
        <button
          type="button"
          role="switch"
          aria-checked={enabled}
          aria-labelledby={`${id}-label`}
          aria-describedby={`${id}-hint`}
          disabled={!supported}
          onClick={async () => {
            const outcome = await setEnabled(!enabled);
            setProblem(outcome === "denied" || outcome === "unsupported" ? problems[outcome] : undefined);
          }}
          className={`relative inline-flex h-7 w-12 shrink-0 items-center rounded-full border transition-colors disabled:opacity-50 ${
            enabled ? "border-accent bg-accent" : "border-line bg-surface-muted"
          }`}
        >
          <span
            aria-hidden="true"
            className={`inline-block size-5 rounded-full bg-white shadow transition-transform ${
              enabled ? "translate-x-6" : "translate-x-1"
            }`}
          />
        </button>
      </div>
      {(problem ?? (!supported ? problems.unsupported : undefined)) && (
        <p className="text-sm text-warning" role="status">
          {problem ?? problems.unsupported}
        </p>
      )}
    </Card>
  );
}
