import { Link } from "@tanstack/react-router";
import { Alert } from "../components/ui.tsx";
import { formatLongDate, formatUsd } from "./format-usd.ts";

/**
 * Said plainly at the top of both AI pages once the month's budget is spent (AI_BUDGET_EXCEEDED):
 * what stops, what keeps working, and when it comes back.
 */
export function BudgetExceededNotice({
  budgetUsd,
  resetsAt,
  showUsageLink = false,
}: {
  budgetUsd: number;
  resetsAt: Date;
  showUsageLink?: boolean;
}) {
  return (
    <Alert tone="warning" testId="ai-budget-exceeded">
      <p className="font-semibold">
        {budgetUsd > 0
          ? `This month's AI budget of ${formatUsd(budgetUsd)} is spent.`
          : "Your monthly AI budget is $0, so paid calls are off."}
      </p>
      <p className="mt-1">
        No more calls go to the cloud model until {formatLongDate(resetsAt)}. New mail is still sorted by the local
        model; summaries and reply drafts that need the cloud model wait until then.
        {showUsageLink && (
          <>
            {" "}
            <Link to="/settings/ai/usage" className="font-medium text-fg underline">
              See what it was spent on
            </Link>
            .
          </>
        )}
      </p>
    </Alert>
  );
}
