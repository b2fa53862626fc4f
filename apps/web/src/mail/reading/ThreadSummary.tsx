import { useQuery } from "@tanstack/react-query";
import type { RouterOutputs } from "@tidings/client";
import { useEffect, useId, useState } from "react";
import { appCodeOf } from "../../api/app-error.ts";
import { Button, Spinner } from "../../components/ui.tsx";
import { useTRPC, useTRPCClient } from "../../trpc.ts";
import { ActionItems, providerLabel, SparkleGlyph } from "./ai-parts.tsx";
import { AiProblemText, aiProblem } from "./ai-problem.tsx";

type Summary = RouterOutputs["ai"]["summarizeThread"];

// A provider failure is retried by itself while the thread stays open (the UI says so).
const PROVIDER_RETRIES = 3;
const PROVIDER_RETRY_MS = 20_000;
// Flipping through threads with j/k should not summarize each one passed on the way.
const AUTO_START_MS = 700;

/**
 * The thread's AI summary: made by itself when the user's features say so and the thread has a
 * conversation to sum up, else on "Summarize". The server caches it until the thread changes;
 * here it is kept per thread version, so reopening an unchanged thread asks nothing.
 */
export function ThreadSummary({ threadId, messageIds }: { threadId: string; messageIds: string[] }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const settings = useQuery({ ...trpc.ai.settings.get.queryOptions(), staleTime: 60_000 });
  const version = messageIds.join(",");
  const automatic = settings.data?.features.summaries === true && messageIds.length >= 2;
  const [asked, setAsked] = useState(false);
  const [autoStarted, setAutoStarted] = useState(false);
  const headingId = useId();

  useEffect(() => {
    if (!automatic) return;
    const timer = setTimeout(() => setAutoStarted(true), AUTO_START_MS);
    return () => clearTimeout(timer);
  }, [automatic]);

  const started = asked || autoStarted;
  const summary = useQuery({
    queryKey: ["ai", "threadSummary", threadId, version],
    queryFn: () => client.ai.summarizeThread.mutate({ threadId }),
    enabled: asked || autoStarted,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 30 * 60_000,
    refetchOnWindowFocus: false,
    retry: (count, error) => appCodeOf(error) === "AI_PROVIDER_ERROR" && count < PROVIDER_RETRIES,
    retryDelay: PROVIDER_RETRY_MS,
  });

  return (
    <section
      aria-labelledby={headingId}
      className={`rounded-xl border border-accent/25 bg-accent-soft/50 px-4 ${started ? "py-3" : "py-2"}`}
      data-testid="thread-summary"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id={headingId} className="flex items-center gap-1.5 text-sm font-semibold">
          <SparkleGlyph /> Summary
        </h3>
        {!started && (
          <Button variant="secondary" className="px-3 py-1" onClick={() => setAsked(true)}>
            Summarize
          </Button>
        )}
        {summary.data && (
          <span className="text-xs text-muted">
            {providerLabel(summary.data.provider)} · {summary.data.model}
          </span>
        )}
      </div>
      {started && <SummaryBody summary={summary} />}
    </section>
  );
}

function SummaryBody({ summary }: { summary: ReturnType<typeof useQuery<Summary>> }) {
  if (summary.data) return <SummaryContent summary={summary.data} />;
  if (summary.isError) {
    const problem = aiProblem(summary.error);
    return (
      <div role="alert" className="mt-2 flex flex-wrap items-center gap-2 text-sm">
        <AiProblemText
          problem={
            problem.transient
              ? { ...problem, message: "The AI provider did not answer properly. Nothing is lost." }
              : problem
          }
        />
        {problem.transient && (
          <Button variant="secondary" className="px-3 py-1.5" onClick={() => void summary.refetch()}>
            Try again
          </Button>
        )}
      </div>
    );
  }
  const retrying = summary.failureCount > 0 && summary.failureReason;
  return (
    <p role="status" className="mt-2 flex items-center gap-2 text-sm text-muted">
      <Spinner />
      {retrying ? <AiProblemText problem={aiProblem(summary.failureReason)} /> : "Summarizing the conversation…"}
    </p>
  );
}

function SummaryContent({ summary }: { summary: Summary }) {
  return (
    <div className="mt-2 grid grid-cols-1 gap-3 text-sm break-words">
      <p className="leading-relaxed">{summary.summary}</p>
      {summary.keyPoints.length > 0 && (
        <SummaryList title="Key points">
          {summary.keyPoints.map((point) => (
            <li key={point}>{point}</li>
          ))}
        </SummaryList>
      )}
      {summary.actionItems.length > 0 && (
        <div>
          <h4 className="text-xs font-semibold tracking-wide text-muted uppercase">Action items</h4>
          <ActionItems items={summary.actionItems} />
        </div>
      )}
      {summary.openQuestions.length > 0 && (
        <SummaryList title="Open questions">
          {summary.openQuestions.map((question) => (
            <li key={question}>{question}</li>
          ))}
        </SummaryList>
      )}
    </div>
  );
}

function SummaryList({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div>
      <h4 className="text-xs font-semibold tracking-wide text-muted uppercase">{title}</h4>
      <ul className="mt-1 list-disc space-y-0.5 pl-5">{children}</ul>
    </div>
  );
}
