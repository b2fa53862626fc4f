import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { generalMessage } from "../api/app-error.ts";
import { PageHeading } from "../components/PageHeading.tsx";
import { Alert, Card, Spinner } from "../components/ui.tsx";
import { useTRPC } from "../trpc.ts";
import { AiNav } from "./AiNav.tsx";
import { BudgetExceededNotice } from "./BudgetNotice.tsx";
import { formatUsd } from "./format-usd.ts";
import { SpendByDayChart, SpendByFeatureChart } from "./UsageCharts.tsx";
import { daysOfMonthSoFar, featureLabel } from "./usage-series.ts";

export function AiUsagePage() {
  const trpc = useTRPC();
  const usage = useQuery(trpc.ai.usage.queryOptions());

  return (
    <>
      <PageHeading description="What the AI cost this month, by day and by feature. The local model is free and not counted.">
        AI usage
      </PageHeading>
      <AiNav />
      {usage.isPending && (
        <p role="status" className="flex items-center gap-2 text-muted">
          <Spinner /> Loading your usage…
        </p>
      )}
      {usage.isError && <Alert tone="error">{generalMessage(usage.error)}</Alert>}
      {usage.data && <UsageView usage={usage.data} />}
    </>
  );
}

interface Usage {
  requests: number;
  costUsd: number;
  budgetUsd: number;
  remainingUsd: number;
  budgetExceeded: boolean;
  resetsAt: Date;
  byDay: { day: string; costUsd: number; requests: number }[];
  byFeature: { feature: string; costUsd: number; requests: number }[];
}

function UsageView({ usage }: { usage: Usage }) {
  const share = usage.budgetUsd > 0 ? Math.min(1, usage.costUsd / usage.budgetUsd) : 1;
  const days = daysOfMonthSoFar(usage.byDay, new Date());
  const features = usage.byFeature.map((row) => ({ ...row, label: featureLabel(row.feature) }));
  return (
    <>
      {usage.budgetExceeded && <BudgetExceededNotice budgetUsd={usage.budgetUsd} resetsAt={usage.resetsAt} />}
      <Card>
        <section aria-labelledby="ai-budget-heading" className="grid gap-4">
          <h2 id="ai-budget-heading" className="text-lg font-semibold">
            This month
          </h2>
          <p className="text-3xl font-semibold tracking-tight" data-testid="ai-spent">
            {formatUsd(usage.costUsd)}
            <span className="ml-2 text-base font-normal text-muted">of {formatUsd(usage.budgetUsd)} budget</span>
          </p>
          <div
            role="progressbar"
            aria-label="Budget spent"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(share * 100)}
            aria-valuetext={`${Math.round(share * 100)}% of the budget spent`}
            className="h-2.5 overflow-hidden rounded-full bg-surface-muted"
          >
            <div
              className={`h-full rounded-full ${usage.budgetExceeded || share >= 0.8 ? "bg-warning" : "bg-accent"}`}
              style={{ width: `${Math.max(share * 100, usage.costUsd > 0 ? 1 : 0)}%` }}
            />
          </div>
          <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-3">
            <div>
              <dt className="text-muted">Calls</dt>
              <dd className="font-semibold">{usage.requests}</dd>
            </div>
            <div>
              <dt className="text-muted">Left</dt>
              <dd className="font-semibold">{formatUsd(usage.remainingUsd)}</dd>
            </div>
          </dl>
        </section>
      </Card>
      {usage.requests === 0 ? (
        // Empty charts say nothing: one line on what will show here, and where that is decided, instead.
        <Card>
          <section aria-labelledby="ai-usage-empty-heading" className="grid gap-1" data-testid="ai-usage-empty">
            <h2 id="ai-usage-empty-heading" className="text-lg font-semibold">
              No paid calls this month yet
            </h2>
            <p className="text-sm text-muted">
              Calls to OpenAI or to your own server show here, per day and per feature, as they happen. Which model
              reads your mail is chosen in{" "}
              <Link to="/settings/ai" className="font-medium">
                AI settings
              </Link>
              .
            </p>
          </section>
        </Card>
      ) : (
        <>
          <Card>
            <SpendByDayChart days={days} />
          </Card>
          <Card>
            <SpendByFeatureChart features={features} />
          </Card>
        </>
      )}
    </>
  );
}
