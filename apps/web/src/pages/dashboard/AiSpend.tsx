import { Link } from "@tanstack/react-router";
import type { RouterOutputs } from "@tidings/client";
import { Card } from "../../components/ui.tsx";

type Usage = RouterOutputs["ai"]["usage"];

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2 });

/** AI spend this month against the monthly budget. */
export function AiSpend({ usage }: { usage: Usage | undefined }) {
  const share = usage && usage.budgetUsd > 0 ? Math.min(1, usage.costUsd / usage.budgetUsd) : 0;
  return (
    <Card className="grid content-start gap-3">
      <div className="flex items-baseline justify-between gap-2">
        <h2 className="text-lg font-semibold">AI this month</h2>
        <Link to="/settings/ai/usage" className="text-sm font-medium">
          Usage
        </Link>
      </div>
      {!usage ? (
        <p className="text-muted">Loading…</p>
      ) : (
        <>
          <p>
            <span className="text-2xl font-semibold tabular-nums" data-testid="ai-spend">
              {usd.format(usage.costUsd)}
            </span>{" "}
            <span className="text-muted">of {usd.format(usage.budgetUsd)} budget</span>
          </p>
          <div
            role="progressbar"
            aria-label="Share of the monthly AI budget spent"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(share * 100)}
            className="h-2 overflow-hidden rounded-full bg-surface-muted"
          >
            <div
              className={`h-full rounded-full ${share >= 1 ? "bg-danger" : share >= 0.8 ? "bg-warning" : "bg-accent"}`}
              style={{ width: `${share * 100}%` }}
            />
          </div>
          <p className="text-sm text-muted">
            {usage.requests === 1 ? "1 call" : `${usage.requests} calls`} ·{" "}
            {usage.remainingUsd > 0 ? `${usd.format(usage.remainingUsd)} left` : "Budget reached"}
          </p>
        </>
      )}
    </Card>
  );
}
