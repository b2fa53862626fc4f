import { useEffect, useRef } from "react";

/**
 * Picks every loaded conversation, or none. Partly picked it shows a dash ("mixed" to assistive
 * technology), and a click picks all; picked all, a click clears.
 */
export function SelectAllBox({ state, onChange }: { state: boolean | "mixed"; onChange: (on: boolean) => void }) {
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (box.current) box.current.indeterminate = state === "mixed";
  }, [state]);
  return (
    <label className="flex shrink-0 cursor-pointer items-center self-stretch pr-1.5">
      <input
        ref={box}
        type="checkbox"
        checked={state === true}
        aria-checked={state === "mixed" ? "mixed" : state}
        onChange={() => onChange(state !== true)}
        aria-label="Select all loaded conversations"
        className="size-4 accent-accent"
      />
    </label>
  );
}

/** What can be done to every selected conversation at once; replaces the filters while some are selected. */
export function BulkBar({
  all,
  onAll,
  count,
  anyUnread,
  onArchive,
  onTrash,
  onSeen,
  onStar,
  onClear,
}: {
  /** Whether every loaded conversation is picked (the header box). */
  all: boolean | "mixed";
  onAll: (on: boolean) => void;
  count: number;
  /** Some picked conversation is unread: the read button marks them read, else unread. */
  anyUnread: boolean;
  onArchive: () => void;
  onTrash: () => void;
  onSeen: (seen: boolean) => void;
  onStar: () => void;
  onClear: () => void;
}) {
  const button =
    "inline-flex min-h-10 items-center rounded-lg px-1.5 text-sm font-medium whitespace-nowrap text-fg hover:bg-surface-muted sm:px-2.5";
  return (
    <div
      role="toolbar"
      aria-label="Selected conversations"
      className="flex min-w-0 items-center gap-0.5 overflow-x-auto rounded-lg bg-accent-soft py-0.5 pr-0.5 pl-2.5"
    >
      <SelectAllBox state={all} onChange={onAll} />
      <span className="mr-auto text-sm font-semibold whitespace-nowrap sm:mr-1" aria-live="polite">
        {count} selected
      </span>
      <button type="button" className={button} onClick={onArchive}>
        Archive
      </button>
      <button type="button" className={button} onClick={onTrash}>
        Delete
      </button>
      <button type="button" className={button} onClick={() => onSeen(anyUnread)}>
        {anyUnread ? "Read" : "Unread"}
      </button>
      <button type="button" className={button} onClick={onStar}>
        Star
      </button>
      <button
        type="button"
        aria-label="Clear the selection"
        aria-keyshortcuts="Escape"
        title="Clear the selection (Esc)"
        className={`${button} ml-auto text-lg text-muted`}
        onClick={onClear}
      >
        ×
      </button>
    </div>
  );
}
