import { Link } from "@tanstack/react-router";
import { appErrorData, generalMessage } from "../../api/app-error.ts";

export interface AiProblem {
  /** One sentence for the person reading the thread. */
  message: string;
  /** The fix lives in the AI settings. */
  settings: boolean;
  /** The provider failed; asking again later may work. */
  transient: boolean;
}

const monthDay = new Intl.DateTimeFormat(undefined, { month: "long", day: "numeric" });

/** An AI procedure's error as the reading pane explains it (API.md: AI_BUDGET_EXCEEDED, AI_PROVIDER_ERROR, AI_DISABLED). */
export function aiProblem(error: unknown): AiProblem {
  const data = appErrorData(error) as ReturnType<typeof appErrorData> & { resetsAt?: string };
  switch (data.appCode) {
    case "AI_BUDGET_EXCEEDED": {
      const resets = data.resetsAt ? ` It starts again on ${monthDay.format(new Date(data.resetsAt))}.` : "";
      return {
        message: `Monthly AI budget reached — raise it in AI settings.${resets}`,
        settings: true,
        transient: false,
      };
    }
    case "AI_PROVIDER_ERROR":
      return {
        message: "The AI provider did not answer properly. Nothing is lost; Tidings will retry.",
        settings: false,
        transient: true,
      };
    case "AI_DISABLED":
      // The server says which: switched off, or the local provider that writes no drafts.
      return { message: generalMessage(error), settings: true, transient: false };
    default:
      return { message: generalMessage(error), settings: false, transient: false };
  }
}

export function AiProblemText({ problem }: { problem: AiProblem }) {
  return (
    <span>
      {/[.!?]$/.test(problem.message) ? problem.message : `${problem.message}.`}{" "}
      {problem.settings && (
        <Link to="/settings/ai" className="font-semibold text-link underline underline-offset-2">
          Open AI settings
        </Link>
      )}
    </span>
  );
}
