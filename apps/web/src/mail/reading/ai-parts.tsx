// Small pieces the reading pane's AI parts share.

const providerNames: Record<string, string> = {
  local: "Local model",
  openai: "OpenAI",
  compatible: "Your AI server",
};

export function providerLabel(provider: string): string {
  return providerNames[provider] ?? provider;
}

// Due dates are calendar days (YYYY-MM-DD): shown as that day wherever the reader is.
const dueDay = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  month: "short",
  day: "numeric",
  timeZone: "UTC",
});

export function dueLabel(due: string): string {
  const date = new Date(due.length === 10 ? `${due}T00:00:00Z` : due);
  return Number.isNaN(date.getTime()) ? due : dueDay.format(date);
}

export function ActionItems({ items }: { items: { text: string; due: string | null }[] }) {
  return (
    <ul className="mt-1 grid gap-1">
      {items.map((item) => (
        <li key={`${item.text}-${item.due}`} className="flex items-start gap-2">
          <span aria-hidden="true" className="mt-1 size-3 shrink-0 rounded-sm border-2 border-current text-muted" />
          <span className="min-w-0 flex-1">
            {item.text}
            {item.due && (
              <span className="ml-2 inline-flex rounded-full bg-warning-soft px-2 py-0.5 text-xs font-semibold text-warning">
                due {dueLabel(item.due)}
              </span>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function SparkleGlyph() {
  return (
    <svg viewBox="0 0 24 24" width="14" height="14" fill="currentColor" aria-hidden="true" className="text-link">
      <path d="M12 2l1.9 5.6L19.5 9.5l-5.6 1.9L12 17l-1.9-5.6L4.5 9.5l5.6-1.9zM19 14l.9 2.6 2.6.9-2.6.9L19 21l-.9-2.6-2.6-.9 2.6-.9z" />
    </svg>
  );
}
