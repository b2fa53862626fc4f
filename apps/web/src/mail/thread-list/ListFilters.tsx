import { mailPriorities } from "@tidings/api/schemas";
import { priorityNames } from "./AiMarks.tsx";
import type { Priority, ThreadListSearch } from "./list-query.ts";

type Toggle = "unread" | "starred" | "needsReply" | "attachments";

const toggles: [Toggle, string][] = [
  ["unread", "Unread"],
  ["starred", "Starred"],
  ["needsReply", "Needs reply"],
  ["attachments", "Attachments"],
];

const chip = (on: boolean) =>
  `rounded-full border px-3 py-1 text-xs font-medium ${
    on ? "border-accent bg-accent text-accent-fg" : "border-line bg-surface text-muted hover:bg-surface-muted"
  }`;

/** The list's filters (unread, starred, needs reply, attachments, a priority) and its order. */
export function ListFilters({
  search,
  onChange,
}: {
  search: ThreadListSearch;
  onChange: (change: Partial<ThreadListSearch>) => void;
}) {
  return (
    <fieldset className="flex flex-wrap items-center gap-1.5">
      <legend className="sr-only">Filters</legend>
      {toggles.map(([name, label]) => (
        <button
          key={name}
          type="button"
          aria-pressed={Boolean(search[name])}
          onClick={() => onChange({ [name]: search[name] ? undefined : true })}
          className={chip(Boolean(search[name]))}
        >
          {label}
        </button>
      ))}
      <label className="sr-only" htmlFor="list-priority">
        Priority
      </label>
      <select
        id="list-priority"
        value={search.priority ?? ""}
        onChange={(event) => onChange({ priority: (event.target.value || undefined) as Priority | undefined })}
        className={`${chip(Boolean(search.priority))} pr-1.5`}
      >
        <option value="">Any priority</option>
        {mailPriorities.map((priority) => (
          <option key={priority} value={priority}>
            {priorityNames[priority]} priority
          </option>
        ))}
      </select>
      <label className="sr-only" htmlFor="list-sort">
        Order
      </label>
      <select
        id="list-sort"
        value={search.sort ?? "date"}
        onChange={(event) => onChange({ sort: event.target.value === "priority" ? "priority" : undefined })}
        className={`${chip(search.sort === "priority")} pr-1.5`}
      >
        <option value="date">Newest first</option>
        <option value="priority">Priority first</option>
      </select>
    </fieldset>
  );
}
