import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import * as Tooltip from "@radix-ui/react-tooltip";
import { mailCategories, mailPriorities } from "@tidings/api/schemas";
import { useState } from "react";
import type { AiCorrection } from "./ai-correction.ts";
import type { Thread } from "./list-query.ts";

type Category = (typeof mailCategories)[number];
type Priority = (typeof mailPriorities)[number];
type Analysis = NonNullable<Thread["ai"]>;

export const priorityNames: Record<Priority, string> = { high: "High", normal: "Normal", low: "Low" };
export const categoryNames: Record<Category, string> = {
  personal: "Personal",
  work: "Work",
  newsletter: "Newsletter",
  notification: "Notification",
  promotion: "Promotion",
  transactional: "Receipt or order",
  social: "Social",
  spam: "Spam",
};

interface Mark {
  label: string;
  className: string;
}

/** What the row shows: high and low priority (normal is the default, so it says nothing), the category, needs reply. */
function marksOf(ai: Analysis): Mark[] {
  const marks: Mark[] = [];
  if (ai.priority === "high") marks.push({ label: "High priority", className: "bg-danger-soft text-danger" });
  if (ai.needsReply) marks.push({ label: "Needs reply", className: "bg-accent-soft text-link" });
  if (ai.category && ai.category in categoryNames) {
    marks.push({
      label: categoryNames[ai.category as Category],
      className: "border border-line text-muted",
    });
  }
  if (ai.priority === "low") marks.push({ label: "Low priority", className: "border border-line text-muted" });
  return marks;
}

const menuItem =
  "flex cursor-pointer items-center gap-2 rounded-lg py-2 pr-3 pl-7 text-sm outline-none data-highlighted:bg-surface-muted relative";

/**
 * The AI's marks on a thread, with why (a tooltip on hover, focus or tap) and "correct this" (a menu
 * whose choice is sent as `ai.feedback`).
 */
export function AiMarks({
  thread,
  onCorrect,
}: {
  thread: Thread;
  onCorrect: (thread: Thread, correction: AiCorrection) => void;
}) {
  const [open, setOpen] = useState(false);
  const ai = thread.ai;
  if (!ai) return null;
  const marks = marksOf(ai);
  const subject = thread.subject || "(no subject)";
  return (
    <div className="flex min-w-0 items-center gap-0.5" data-testid="ai-marks">
      <Tooltip.Root open={open} onOpenChange={setOpen}>
        <Tooltip.Trigger asChild>
          <button
            type="button"
            onClick={() => setOpen((was) => !was)}
            className="flex min-h-7 min-w-0 items-center gap-1 overflow-hidden rounded-full text-left"
          >
            {marks.length === 0 && (
              <span className="rounded-full border border-line px-2 py-0.5 text-xs text-muted">Normal</span>
            )}
            {marks.map((mark) => (
              <span
                key={mark.label}
                className={`rounded-full px-2 py-0.5 text-xs font-semibold whitespace-nowrap ${mark.className}`}
              >
                {mark.label}
              </span>
            ))}
            <span className="sr-only">(why?)</span>
          </button>
        </Tooltip.Trigger>
        <Tooltip.Portal>
          <Tooltip.Content
            side="bottom"
            align="start"
            sideOffset={4}
            collisionPadding={8}
            className="z-50 max-w-72 rounded-xl bg-fg px-3 py-2 text-xs text-bg shadow-lg"
            data-testid="ai-reasons"
          >
            <p className="mb-1 font-semibold">Why Tidings marked it so</p>
            {ai.reasons.length ? (
              <ul className="grid list-disc gap-0.5 pl-4">
                {ai.reasons.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
            ) : (
              <p>No particular reason was recorded.</p>
            )}
            <Tooltip.Arrow className="fill-fg" />
          </Tooltip.Content>
        </Tooltip.Portal>
      </Tooltip.Root>
      <CorrectMenu ai={ai} subject={subject} onCorrect={(correction) => onCorrect(thread, correction)} />
    </div>
  );
}

function CorrectMenu({
  ai,
  subject,
  onCorrect,
}: {
  ai: Analysis;
  subject: string;
  onCorrect: (correction: AiCorrection) => void;
}) {
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger
        aria-label={`Correct the marks of “${subject}”`}
        title="Correct this"
        className="inline-flex size-7 shrink-0 items-center justify-center rounded-full text-muted hover:bg-surface-muted hover:text-fg data-[state=open]:bg-surface-muted"
      >
        <svg
          viewBox="0 0 24 24"
          width="14"
          height="14"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          aria-hidden="true"
        >
          <path d="M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4" strokeLinejoin="round" />
        </svg>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="start"
          sideOffset={4}
          collisionPadding={8}
          className="z-50 max-h-[var(--radix-dropdown-menu-content-available-height)] min-w-56 overflow-y-auto rounded-xl border border-line bg-surface p-1 text-fg shadow-lg"
        >
          <DropdownMenu.Label className="px-3 pt-1.5 pb-1 text-xs font-semibold text-muted">
            Priority
          </DropdownMenu.Label>
          <DropdownMenu.RadioGroup
            value={ai.priority ?? "normal"}
            onValueChange={(value) => onCorrect({ priority: value as Priority })}
          >
            {mailPriorities.map((priority) => (
              <DropdownMenu.RadioItem key={priority} value={priority} className={menuItem}>
                <DropdownMenu.ItemIndicator className="absolute left-2.5">•</DropdownMenu.ItemIndicator>
                {priorityNames[priority]}
              </DropdownMenu.RadioItem>
            ))}
          </DropdownMenu.RadioGroup>
          <DropdownMenu.Separator className="my-1 h-px bg-line" />
          <DropdownMenu.CheckboxItem
            checked={Boolean(ai.needsReply)}
            onCheckedChange={(checked) => onCorrect({ needsReply: checked })}
            className={menuItem}
          >
            <DropdownMenu.ItemIndicator className="absolute left-2.5">✓</DropdownMenu.ItemIndicator>
            Needs a reply
          </DropdownMenu.CheckboxItem>
          <DropdownMenu.Separator className="my-1 h-px bg-line" />
          <DropdownMenu.Sub>
            <DropdownMenu.SubTrigger className={`${menuItem} justify-between`}>
              Category
              <span className="text-muted">
                {ai.category && ai.category in categoryNames ? categoryNames[ai.category as Category] : "—"} ›
              </span>
            </DropdownMenu.SubTrigger>
            <DropdownMenu.Portal>
              <DropdownMenu.SubContent
                sideOffset={4}
                collisionPadding={8}
                className="z-50 min-w-48 rounded-xl border border-line bg-surface p-1 text-fg shadow-lg"
              >
                <DropdownMenu.RadioGroup
                  value={ai.category ?? ""}
                  onValueChange={(value) => onCorrect({ category: value as Category })}
                >
                  {mailCategories.map((category) => (
                    <DropdownMenu.RadioItem key={category} value={category} className={menuItem}>
                      <DropdownMenu.ItemIndicator className="absolute left-2.5">•</DropdownMenu.ItemIndicator>
                      {categoryNames[category]}
                    </DropdownMenu.RadioItem>
                  ))}
                </DropdownMenu.RadioGroup>
              </DropdownMenu.SubContent>
            </DropdownMenu.Portal>
          </DropdownMenu.Sub>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
