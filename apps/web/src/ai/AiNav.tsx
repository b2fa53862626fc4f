import { Link } from "@tanstack/react-router";

/** Settings and Usage, the two pages of the AI section. */
export function AiNav() {
  const tab =
    "rounded-lg px-3 py-1.5 text-sm font-medium text-fg no-underline hover:bg-surface-muted aria-[current=page]:bg-accent-soft";
  return (
    <nav aria-label="AI" className="flex gap-1">
      <Link to="/settings/ai" className={tab} activeOptions={{ exact: true }}>
        Settings
      </Link>
      <Link to="/settings/ai/usage" className={tab}>
        Usage
      </Link>
    </nav>
  );
}
