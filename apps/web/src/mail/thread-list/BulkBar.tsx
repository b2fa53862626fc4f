/** What can be done to every selected conversation at once; replaces the filters while some are selected. */
export function BulkBar({
  count,
  onArchive,
  onTrash,
  onSeen,
  onStar,
  onClear,
}: {
  count: number;
  onArchive: () => void;
  onTrash: () => void;
  onSeen: (seen: boolean) => void;
  onStar: () => void;
  onClear: () => void;
}) {
  const button =
    "inline-flex min-h-9 items-center rounded-lg px-2.5 text-sm font-medium whitespace-nowrap text-fg hover:bg-surface-muted";
  return (
    <div
      role="toolbar"
      aria-label="Selected conversations"
      className="flex flex-wrap items-center gap-1 rounded-lg bg-accent-soft px-2 py-1"
    >
      <span className="mr-1 text-sm font-semibold" aria-live="polite">
        {count} selected
      </span>
      <button type="button" className={button} onClick={onArchive}>
        Archive
      </button>
      <button type="button" className={button} onClick={onTrash}>
        Delete
      </button>
      <button type="button" className={button} onClick={() => onSeen(true)}>
        Read
      </button>
      <button type="button" className={button} onClick={() => onSeen(false)}>
        Unread
      </button>
      <button type="button" className={button} onClick={onStar}>
        Star
      </button>
      <button type="button" className={`${button} ml-auto text-muted`} onClick={onClear}>
        Clear
      </button>
    </div>
  );
}
