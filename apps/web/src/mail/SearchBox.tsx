import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCombobox } from "downshift";
import { type FormEvent, type Ref, useEffect, useState } from "react";
import { useTRPC } from "../trpc.ts";

/** A recent search to run again, or the last entry: forget them all. */
type Entry = { kind: "search"; query: string } | { kind: "clear" };

/** Recent searches containing what is typed (all of them for an empty box), newest first. */
export function recentMatching(recent: readonly string[], typed: string): string[] {
  const needle = typed.trim().toLowerCase();
  return recent.filter((query) => query.toLowerCase().includes(needle) && query !== typed.trim());
}

/**
 * The mail search box: submitting runs the search and notes it among the user's recent searches
 * (on the server, so every device has them). Focused, it lists those recent searches (matching
 * what is typed) as an ARIA combobox: arrows move, Enter runs one, Delete forgets the one moved
 * to, and the last entry forgets them all.
 */
export function SearchBox({
  query,
  onSearch,
  inputRef,
}: {
  /** The search the list shows now. */
  query: string | undefined;
  onSearch: (query: string | undefined) => void;
  inputRef: Ref<HTMLInputElement>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [value, setValue] = useState(query ?? "");
  // Another search (a link, Back) shows in the box.
  useEffect(() => setValue(query ?? ""), [query]);

  const recent = useQuery({ ...trpc.mail.recentSearches.queryOptions(), staleTime: 60_000 });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.mail.recentSearches.queryKey() });
  const record = useMutation({ ...trpc.mail.recordSearch.mutationOptions(), onSettled: refresh });
  const forget = useMutation({ ...trpc.mail.forgetSearch.mutationOptions(), onSettled: refresh });

  const matching = recentMatching(
    (recent.data ?? []).map((entry) => entry.query),
    value,
  );
  const items: Entry[] = matching.length
    ? [...matching.map((match) => ({ kind: "search" as const, query: match })), { kind: "clear" }]
    : [];

  const run = (typed: string) => {
    const q = typed.trim() || undefined;
    if (q) record.mutate({ query: q });
    onSearch(q);
  };

  const combobox = useCombobox<Entry>({
    items,
    inputId: "mail-search",
    labelId: "mail-search-label",
    menuId: "mail-search-recent",
    inputValue: value,
    selectedItem: null,
    itemToString: (item) => (item?.kind === "search" ? item.query : ""),
    itemToKey: (item) => (item?.kind === "search" ? item.query : "clear"),
    onSelectedItemChange: ({ selectedItem }) => {
      if (!selectedItem) return;
      if (selectedItem.kind === "clear") {
        forget.mutate({});
        return;
      }
      setValue(selectedItem.query);
      run(selectedItem.query);
    },
    // Tabbing away leaves the search as typed: only Enter or a click runs a recent one.
    stateReducer: (_state, { type, changes }) =>
      type === useCombobox.stateChangeTypes.InputBlur ? { ...changes, selectedItem: null, inputValue: value } : changes,
  });
  const open = combobox.isOpen && items.length > 0;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    combobox.closeMenu();
    run(value);
  };

  return (
    <form onSubmit={submit} className="relative">
      <label {...combobox.getLabelProps()} htmlFor="mail-search" className="sr-only">
        Search mail
      </label>
      <input
        {...combobox.getInputProps({
          // Synchronously: Downshift reports typed text from an effect, a render late, and a
          // controlled input set from that would drop the keys typed in between.
          onChange: (event) => setValue((event.target as HTMLInputElement).value),
          ref: inputRef,
          onFocus: () => {
            if (!combobox.isOpen) combobox.openMenu();
          },
          onKeyDown: (event) => {
            const item = items[combobox.highlightedIndex];
            // Enter on what is typed searches for it: Downshift would swallow it while the list is open.
            if (event.key === "Enter" && !item) {
              (event.nativeEvent as { preventDownshiftDefault?: boolean }).preventDownshiftDefault = true;
              return;
            }
            if (event.key === "Delete" && open && item?.kind === "search") {
              event.preventDefault();
              (event.nativeEvent as { preventDownshiftDefault?: boolean }).preventDownshiftDefault = true;
              forget.mutate({ query: item.query });
            }
          },
        })}
        role="combobox"
        aria-expanded={open}
        aria-describedby="mail-search-hint"
        name="q"
        type="search"
        placeholder="Search   from:  subject:  has:attachment"
        className="w-full rounded-lg border border-line bg-surface-muted px-3 py-2 text-sm text-fg placeholder:text-muted"
      />
      <span id="mail-search-hint" className="sr-only">
        Recent searches are listed below: Enter runs one, Delete forgets it.
      </span>
      <ul
        {...combobox.getMenuProps()}
        // Its own name: labelled by the box's label, it would be a second "Search mail".
        aria-labelledby={undefined}
        aria-label="Recent searches"
        className={
          open
            ? "absolute top-full right-0 left-0 z-20 mt-1 max-h-80 overflow-y-auto rounded-lg border border-line bg-surface py-1 shadow-lg"
            : "hidden"
        }
      >
        {open &&
          items.map((item, index) => {
            const highlighted = combobox.highlightedIndex === index;
            return item.kind === "search" ? (
              <li
                key={item.query}
                {...combobox.getItemProps({ item, index })}
                className={`flex cursor-pointer items-center gap-2 px-3 py-1.5 text-sm ${highlighted ? "bg-accent-soft" : ""}`}
              >
                <span aria-hidden="true" className="text-muted">
                  ↺
                </span>
                <span className="min-w-0 flex-1 truncate">{item.query}</span>
                {/* The pointer's way to forget one; the keyboard's is Delete (see the hint). */}
                <span
                  aria-hidden="true"
                  title="Forget this search"
                  className="rounded px-1.5 text-muted hover:bg-surface-muted hover:text-fg"
                  onMouseDown={(event) => event.preventDefault()}
                  onClick={(event) => {
                    event.stopPropagation();
                    forget.mutate({ query: item.query });
                  }}
                >
                  ×
                </span>
              </li>
            ) : (
              <li
                key="clear"
                {...combobox.getItemProps({ item, index })}
                className={`cursor-pointer border-t border-line px-3 py-1.5 text-sm text-link ${highlighted ? "bg-accent-soft" : ""}`}
              >
                Clear recent searches
              </li>
            );
          })}
      </ul>
      <span className="sr-only" role="status" aria-live="polite">
        {open ? `${matching.length} recent ${matching.length === 1 ? "search" : "searches"}` : ""}
      </span>
    </form>
  );
}
