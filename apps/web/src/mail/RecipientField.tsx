import { useQuery } from "@tanstack/react-query";
import { useCombobox } from "downshift";
import type { ReactNode } from "react";
import { useTRPC } from "../trpc.ts";
import { formatAddress, parseRecipients } from "./recipients.ts";
import { useDebouncedValue } from "./use-debounced-value.ts";

interface Correspondent {
  email: string;
  name: string;
}

const SUGGESTIONS = 6;
const TYPING_PAUSE_MS = 150;

/** The address being typed: what follows the last comma or semicolon (not a finished `Name <address>`). */
export function typedTerm(value: string): string {
  const term = value.slice(Math.max(value.lastIndexOf(","), value.lastIndexOf(";")) + 1).trim();
  return term.includes("<") || term.includes(">") ? "" : term;
}

/** The field with the address being typed replaced by the one picked, ready for the next. */
export function withPicked(value: string, picked: Correspondent): string {
  const cut = Math.max(value.lastIndexOf(","), value.lastIndexOf(";")) + 1;
  const before = value.slice(0, cut).trimEnd();
  return `${before}${before ? " " : ""}${formatAddress(picked)}, `;
}

/**
 * A To, Cc or Bcc field: comma-separated addresses typed freely, with the user's correspondents
 * suggested for the one being typed (an ARIA 1.2 combobox by Downshift: arrows move, Enter or Tab
 * picks, Escape closes). Picking appends `Name <address>, `; nothing is picked unless the user
 * moves to a suggestion, so a new address is typed and sent as it was.
 */
export function RecipientField({
  id,
  label,
  value,
  onChange,
  error,
  autoFocus,
  after,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  autoFocus?: boolean;
  /** Shown at the end of the row (the To field's "Cc Bcc" button). */
  after?: ReactNode;
}) {
  const trpc = useTRPC();
  const term = useDebouncedValue(typedTerm(value), TYPING_PAUSE_MS);
  const contacts = useQuery({
    ...trpc.mail.contacts.queryOptions({ query: term, limit: SUGGESTIONS + 4 }),
    enabled: term.length > 0,
    staleTime: 60_000,
  });
  const present = new Set(parseRecipients(value).good.map((address) => address.email.toLowerCase()));
  const items: Correspondent[] =
    term && typedTerm(value)
      ? (contacts.data ?? []).filter((contact) => !present.has(contact.email)).slice(0, SUGGESTIONS)
      : [];

  const combobox = useCombobox<Correspondent>({
    items,
    inputId: id,
    labelId: `${id}-label`,
    menuId: `${id}-suggestions`,
    inputValue: value,
    // Nothing stays "selected": each pick appends an address, and the same one may be picked later.
    selectedItem: null,
    itemToString: (item) => (item ? formatAddress(item) : ""),
    itemToKey: (item) => item?.email,
    onSelectedItemChange: ({ selectedItem }) => {
      if (selectedItem) onChange(withPicked(value, selectedItem));
    },
  });
  const open = combobox.isOpen && items.length > 0;
  const errorId = `${id}-error`;

  return (
    <>
      <div
        className={`relative flex items-center gap-2 border-b px-4 focus-within:border-accent ${error ? "border-danger" : "border-line"}`}
      >
        <label {...combobox.getLabelProps()} htmlFor={id} className="w-16 shrink-0 text-sm text-muted">
          {label}
        </label>
        <input
          {...combobox.getInputProps({
            // Synchronously: Downshift reports typed text from an effect, a render late, and a
            // controlled input set from that would drop the keys typed in between.
            onChange: (event) => onChange((event.target as HTMLInputElement).value),
            onKeyDown: (event) => {
              // Tab picks the suggestion moved to and stays here for the next address.
              const item = items[combobox.highlightedIndex];
              if (event.key === "Tab" && !event.shiftKey && open && item) {
                event.preventDefault();
                (event.nativeEvent as { preventDownshiftDefault?: boolean }).preventDownshiftDefault = true;
                onChange(withPicked(value, item));
                combobox.closeMenu();
              }
            },
          })}
          className="w-full bg-transparent px-0 py-2 text-sm text-fg placeholder:text-muted focus:outline-none"
          // Open only when there is a list to see (Downshift opens on any typing).
          role="combobox"
          aria-expanded={open}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          // biome-ignore lint/a11y/noAutofocus: a new message starts at its recipients
          autoFocus={autoFocus}
        />
        {after}
        <ul
          {...combobox.getMenuProps()}
          // Its own name: labelled by the field's label, it would be a second "To" on the form.
          aria-labelledby={undefined}
          aria-label="Suggested addresses"
          className={
            open
              ? "absolute top-full right-2 left-2 z-20 mt-1 max-h-72 overflow-y-auto rounded-lg border border-line bg-surface py-1 shadow-lg sm:left-20"
              : "hidden"
          }
        >
          {open &&
            items.map((item, index) => (
              <li
                key={item.email}
                {...combobox.getItemProps({ item, index })}
                className={`flex cursor-pointer flex-col px-3 py-1.5 text-sm ${
                  combobox.highlightedIndex === index ? "bg-accent-soft" : ""
                }`}
              >
                {item.name && <span className="truncate font-medium">{item.name}</span>}
                <span className={`truncate ${item.name ? "text-xs" : ""} ${item.name ? "text-muted" : ""}`}>
                  {item.email}
                </span>
              </li>
            ))}
        </ul>
        <span className="sr-only" role="status" aria-live="polite">
          {open
            ? `${items.length} ${items.length === 1 ? "suggestion" : "suggestions"}: use the down arrow to choose, Enter or Tab to pick.`
            : ""}
        </span>
      </div>
      {error && (
        <p id={errorId} className="px-4 pt-1 text-sm text-danger">
          {error}
        </p>
      )}
    </>
  );
}
