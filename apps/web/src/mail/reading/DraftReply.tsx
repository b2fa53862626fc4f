import { useMutation } from "@tanstack/react-query";
import type { RouterInputs } from "@tidings/client";
import { type FormEvent, useId, useRef, useState } from "react";
import { Button, buttonClass } from "../../components/ui.tsx";
import { useTRPC } from "../../trpc.ts";
import { type ComposeInit, formatAddress } from "../Composer.tsx";
import type { MailMessage } from "../ThreadView.tsx";
import { SparkleGlyph } from "./ai-parts.tsx";
import { AiProblemText, aiProblem } from "./ai-problem.tsx";

type Tone = NonNullable<RouterInputs["ai"]["draftReply"]["tone"]>;

const tones: { value: Tone; label: string }[] = [
  { value: "neutral", label: "Neutral" },
  { value: "friendly", label: "Friendly" },
  { value: "formal", label: "Formal" },
  { value: "brief", label: "Brief" },
];

/**
 * "Draft a reply": the model writes a reply to `message` in the chosen tone (ai.draftReply, which
 * saves it as a draft) and it opens in the editor, where it is the user's to change and send.
 */
export function DraftReply({ message, onCompose }: { message: MailMessage; onCompose: (init: ComposeInit) => void }) {
  const trpc = useTRPC();
  const draft = useMutation(trpc.ai.draftReply.mutationOptions());
  const [open, setOpen] = useState(false);
  const [tone, setTone] = useState<Tone>("neutral");
  const [instructions, setInstructions] = useState("");
  const ids = useId();
  const opener = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    draft.reset();
    requestAnimationFrame(() => opener.current?.focus());
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const wanted = instructions.trim();
    draft.mutate(
      { messageId: message.id, tone, ...(wanted ? { instructions: wanted } : {}) },
      {
        onSuccess: (answer) => {
          const to = message.replyTo[0] ?? message.from;
          setOpen(false);
          // The editor (a dialog) gives focus back to what had it when it opened: the opener.
          opener.current?.focus();
          onCompose({
            title: "Reply",
            accountId: message.accountId,
            to: formatAddress(to),
            subject: answer.subject,
            text: answer.text,
            inReplyTo: message.id,
            draftId: answer.draftId,
            note: "Written by AI. Read it through and change what you like before sending.",
          });
        },
      },
    );
  };

  return (
    <div className="grid gap-3" data-testid="draft-reply">
      <div>
        <button
          ref={opener}
          type="button"
          className={buttonClass("secondary")}
          aria-expanded={open}
          aria-controls={`${ids}-panel`}
          onClick={() => (open ? close() : setOpen(true))}
        >
          <SparkleGlyph /> Draft a reply
        </button>
      </div>
      {open && (
        <form
          id={`${ids}-panel`}
          onSubmit={submit}
          aria-label="Draft a reply with AI"
          className="grid gap-3 rounded-xl border border-line bg-surface p-4 shadow-xs"
        >
          <fieldset className="grid gap-1.5">
            <legend className="mb-1.5 text-sm font-medium">Tone</legend>
            <div className="flex flex-wrap gap-1.5">
              {tones.map((option) => (
                <label
                  key={option.value}
                  className={`cursor-pointer rounded-full border px-3 py-1 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-focus ${
                    tone === option.value
                      ? "border-accent bg-accent-soft font-semibold text-link"
                      : "border-line text-fg hover:bg-surface-muted"
                  }`}
                >
                  <input
                    type="radio"
                    name={`${ids}-tone`}
                    value={option.value}
                    checked={tone === option.value}
                    onChange={() => setTone(option.value)}
                    className="sr-only"
                  />
                  {option.label}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="grid gap-1.5">
            <label htmlFor={`${ids}-instructions`} className="text-sm font-medium">
              Instructions <span className="font-normal text-muted">(optional)</span>
            </label>
            <textarea
              id={`${ids}-instructions`}
              value={instructions}
              maxLength={2000}
              rows={2}
              onChange={(event) => setInstructions(event.target.value)}
              placeholder="e.g. Say yes, and suggest Tuesday instead"
              className="w-full resize-y rounded-lg border border-line bg-surface px-3 py-2 text-sm text-fg shadow-xs placeholder:text-muted"
            />
          </div>
          {draft.isError && (
            <p role="alert" className="rounded-lg bg-warning-soft px-3 py-2 text-sm text-warning">
              <AiProblemText problem={aiProblem(draft.error)} />
            </p>
          )}
          <div className="flex flex-wrap items-center gap-2">
            <Button type="submit" busy={draft.isPending}>
              {draft.isPending ? "Writing…" : "Write draft"}
            </Button>
            <Button variant="ghost" onClick={close}>
              Cancel
            </Button>
            <span className="text-xs text-muted">
              Opens in the editor as a draft. Nothing is sent until you press Send.
            </span>
          </div>
        </form>
      )}
    </div>
  );
}
