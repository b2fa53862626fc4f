import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { mailCategories, mailPriorities } from "@tidings/api/schemas";
import type { RouterOutputs } from "@tidings/client";
import { type FormEvent, useId, useRef, useState } from "react";
import { Badge, Button, Spinner } from "../../components/ui.tsx";
import { useTRPC } from "../../trpc.ts";
import { mailKeys } from "../live-updates.ts";
import { ActionItems, providerLabel } from "./ai-parts.tsx";
import { AiProblemText, aiProblem } from "./ai-problem.tsx";

// A message's stored analysis (mail.thread) may leave fields empty; ai.analysis fills them all.
type Analysis = NonNullable<RouterOutputs["mail"]["thread"]["messages"][number]["ai"]>;
type Priority = (typeof mailPriorities)[number];
type Category = (typeof mailCategories)[number];
type Verdict = { priority: Priority; category: Category; needsReply: boolean };

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * What the AI made of one message (priority, category, needs-reply, with its reasons), and a
 * "correct this" form whose answer the local model learns from (ai.feedback).
 */
export function MessageAnalysis({ messageId, analysis }: { messageId: string; analysis: Analysis | null }) {
  const trpc = useTRPC();
  const [asked, setAsked] = useState(false);
  const onDemand = useQuery({
    ...trpc.ai.analysis.queryOptions({ messageId }),
    enabled: asked && !analysis,
    retry: false,
  });
  const shown = analysis ?? onDemand.data ?? null;

  if (!shown) {
    return (
      <div className="flex flex-wrap items-center gap-2 text-sm text-muted" data-testid="message-analysis">
        {onDemand.isError ? (
          <span role="alert">
            <AiProblemText problem={aiProblem(onDemand.error)} />
          </span>
        ) : asked ? (
          <span role="status" className="flex items-center gap-2">
            <Spinner /> Analysing…
          </span>
        ) : (
          <>
            <span>Not analysed yet.</span>
            <button type="button" className="font-semibold text-link hover:underline" onClick={() => setAsked(true)}>
              Analyse now
            </button>
          </>
        )}
      </div>
    );
  }
  return <AnalysisView messageId={messageId} analysis={shown} />;
}

function AnalysisView({ messageId, analysis }: { messageId: string; analysis: Analysis }) {
  const [corrected, setCorrected] = useState<Verdict | null>(null);
  const [showReasons, setShowReasons] = useState(false);
  const [correcting, setCorrecting] = useState(false);
  const ids = useId();
  const correctButton = useRef<HTMLButtonElement>(null);
  const verdict: Verdict = corrected ?? {
    priority: analysis.priority ?? "normal",
    category: (mailCategories as readonly string[]).includes(analysis.category ?? "")
      ? (analysis.category as Category)
      : "personal",
    needsReply: analysis.needsReply ?? false,
  };
  const closeForm = () => {
    setCorrecting(false);
    // The form goes away: focus returns to the control that opened it.
    requestAnimationFrame(() => correctButton.current?.focus());
  };

  return (
    <div className="grid grid-cols-1 gap-2 text-sm" data-testid="message-analysis">
      <div className="flex flex-wrap items-center gap-1.5">
        <span className="sr-only">AI analysis:</span>
        {/* As in the thread list: normal priority is the default and says nothing, and "Needs reply"
            has the list's accent colour, so a mark looks the same in both places. */}
        {verdict.priority !== "normal" && (
          <Badge tone={verdict.priority === "high" ? "danger" : "neutral"}>
            {capitalized(verdict.priority)} priority
          </Badge>
        )}
        <Badge>{capitalized(verdict.category)}</Badge>
        {verdict.needsReply ? <Badge tone="accent">Needs reply</Badge> : <Badge>No reply needed</Badge>}
        {/* Right-aligned beside the marks when they share a line; when a narrow screen wraps it,
            it starts its line at the left like the marks, instead of hanging off the right edge. */}
        <span className="flex items-center gap-3 text-xs sm:ml-auto">
          {analysis.reasons.length > 0 && (
            <button
              type="button"
              className="font-semibold text-link hover:underline"
              aria-expanded={showReasons}
              aria-controls={`${ids}-reasons`}
              onClick={() => setShowReasons((now) => !now)}
            >
              {showReasons ? "Hide reasons" : "Why?"}
            </button>
          )}
          {!correcting && (
            <button
              ref={correctButton}
              type="button"
              className="font-semibold text-link hover:underline"
              onClick={() => setCorrecting(true)}
            >
              Correct this
            </button>
          )}
        </span>
      </div>
      {corrected && (
        <p role="status" className="text-xs text-success">
          Corrected — Tidings learns from this
        </p>
      )}
      {showReasons && (
        <div id={`${ids}-reasons`} className="rounded-lg bg-surface-muted px-3 py-2 text-xs text-muted">
          <ul className="list-disc space-y-0.5 pl-4">
            {analysis.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
          <p className="mt-1">
            {providerLabel(analysis.provider)} · {analysis.model}
          </p>
        </div>
      )}
      {analysis.actionItems.length > 0 && <ActionItems items={analysis.actionItems} />}
      {correcting && (
        <CorrectionForm
          messageId={messageId}
          verdict={verdict}
          onDone={(next) => {
            if (next) setCorrected(next);
            closeForm();
          }}
        />
      )}
    </div>
  );
}

function CorrectionForm({
  messageId,
  verdict,
  onDone,
}: {
  messageId: string;
  verdict: Verdict;
  onDone: (corrected: Verdict | null) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const feedback = useMutation(
    trpc.ai.feedback.mutationOptions({
      // The correction is stored on the analysis: the list's marks follow it.
      onSuccess: () =>
        Promise.all([mailKeys.threads, mailKeys.thread].map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
    }),
  );
  const [draft, setDraft] = useState<Verdict>(verdict);
  const ids = useId();
  const changes = {
    ...(draft.priority !== verdict.priority ? { priority: draft.priority } : {}),
    ...(draft.category !== verdict.category ? { category: draft.category } : {}),
    ...(draft.needsReply !== verdict.needsReply ? { needsReply: draft.needsReply } : {}),
  };
  const changed = Object.keys(changes).length > 0;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!changed) return;
    feedback.mutate({ messageId, ...changes }, { onSuccess: () => onDone(draft) });
  };
  const select =
    "w-full rounded-lg border border-line bg-surface px-2.5 py-2 text-sm text-fg shadow-xs sm:w-auto sm:min-w-32";
  return (
    <form
      onSubmit={submit}
      aria-label="Correct the analysis"
      className="grid gap-3 rounded-lg border border-line bg-surface-muted/60 p-3"
    >
      <div className="grid gap-3 sm:flex sm:flex-wrap sm:items-end">
        <label className="grid gap-1 text-xs font-medium" htmlFor={`${ids}-priority`}>
          Priority
          <select
            id={`${ids}-priority`}
            className={select}
            value={draft.priority}
            onChange={(event) => setDraft({ ...draft, priority: event.target.value as Priority })}
          >
            {mailPriorities.map((priority) => (
              <option key={priority} value={priority}>
                {capitalized(priority)}
              </option>
            ))}
          </select>
        </label>
        <label className="grid gap-1 text-xs font-medium" htmlFor={`${ids}-category`}>
          Category
          <select
            id={`${ids}-category`}
            className={select}
            value={draft.category}
            onChange={(event) => setDraft({ ...draft, category: event.target.value as Category })}
          >
            {mailCategories.map((category) => (
              <option key={category} value={category}>
                {capitalized(category)}
              </option>
            ))}
          </select>
        </label>
        <label className="grid gap-1 text-xs font-medium" htmlFor={`${ids}-reply`}>
          Needs a reply
          <select
            id={`${ids}-reply`}
            className={select}
            value={draft.needsReply ? "yes" : "no"}
            onChange={(event) => setDraft({ ...draft, needsReply: event.target.value === "yes" })}
          >
            <option value="yes">Yes</option>
            <option value="no">No</option>
          </select>
        </label>
      </div>
      {feedback.isError && (
        <p role="alert" className="text-sm text-danger">
          <AiProblemText problem={aiProblem(feedback.error)} />
        </p>
      )}
      <div className="flex items-center gap-2">
        <Button type="submit" className="px-3 py-1.5" busy={feedback.isPending} disabled={!changed}>
          Save correction
        </Button>
        <Button variant="ghost" className="px-3 py-1.5" onClick={() => onDone(null)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
