/** What can be done to every selected conversation at once; replaces the filters while some are selected. */
export function BulkBar({
  count,
  anyUnread,
  onArchive,
  onTrash,
  onSeen,
  onStar,
  onClear,
}: {
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
        title="Clear the selection"
        className={`${button} ml-auto text-lg text-muted`}
        onClick={onClear}
      >
        ×
      </button>
    </div>
  );
}
