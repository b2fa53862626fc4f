import * as Dialog from "@radix-ui/react-dialog";
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import type { RouterOutputs } from "@tidings/client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { generalMessage } from "../api/app-error.ts";
import { InboxIcon } from "../components/icons.tsx";
import { Button, Spinner } from "../components/ui.tsx";
import { useTRPC } from "../trpc.ts";
import { useMailActions } from "./actions.ts";
import { type ComposeInit, Composer, formatAddress } from "./Composer.tsx";
import { ConnectMailboxPage } from "./ConnectMailboxPage.tsx";
import { FolderNav } from "./FolderNav.tsx";
import { type Folder, type Role, roleNames, roleOrder } from "./folder-names.ts";
import { longTime, prefixed, quote } from "./format.ts";
import { mailRefetch } from "./live-updates.ts";
import { BackGlyph, StarGlyph } from "./reading/toolbar-glyphs.tsx";
import { SearchBox } from "./SearchBox.tsx";
import { type MailMessage, type ThreadDetail, ThreadView } from "./ThreadView.tsx";
import { useAiCorrection } from "./thread-list/ai-correction.ts";
import { BulkBar, SelectAllBox } from "./thread-list/BulkBar.tsx";
import { ListFilters } from "./thread-list/ListFilters.tsx";
import { hasListFilter, type Thread, type ThreadListSearch, useThreadList } from "./thread-list/list-query.ts";
import { allState, slices, useSelection } from "./thread-list/selection.ts";
import { ThreadList } from "./thread-list/ThreadList.tsx";

const route = getRouteApi("/_mail/mail");

const shortcuts: [string, string][] = [
  ["j / k", "Next / previous conversation"],
  ["Enter or o", "Open conversation"],
  ["u or Esc", "Back to the list"],
  ["e", "Archive"],
  ["#", "Move to Trash"],
  ["s", "Star or unstar"],
  ["x", "Select or unselect for a bulk action"],
  ["Shift+x or Shift+click", "Select the range from the last one picked"],
  ["Shift+j / Shift+k", "Select while moving down / up"],
  ["Esc", "Clear the selection"],
  ["Shift+U", "Mark unread"],
  ["r", "Reply"],
  ["a", "Reply all"],
  ["f", "Forward"],
  ["c", "Compose"],
  ["/", "Search"],
  ["?", "Show these shortcuts"],
];

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  // A row's checkbox has the focus after a click on it; the list's keys still apply there.
  if (target instanceof HTMLInputElement && target.type === "checkbox") return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function InboxPage() {
  const trpc = useTRPC();
  const accounts = useQuery({ ...trpc.mailAccount.list.queryOptions(), ...mailRefetch });
  // Someone who starts without a mailbox stays in onboarding (through the first sync) until done,
  // though the account list fills as soon as the mailbox is added.
  const [onboarding, setOnboarding] = useState<boolean>();
  useEffect(() => {
    if (accounts.data && onboarding === undefined) setOnboarding(accounts.data.length === 0);
  }, [accounts.data, onboarding]);
  if (accounts.isPending) {
    return (
      <div className="flex h-full items-center justify-center gap-2 text-muted" role="status">
        <Spinner /> Loading your mail…
      </div>
    );
  }
  if (accounts.isError) {
    return (
      <p role="alert" className="p-6 text-danger">
        {generalMessage(accounts.error)}
      </p>
    );
  }
  if (accounts.data.length === 0 || onboarding) return <ConnectMailboxPage first onDone={() => setOnboarding(false)} />;
  return <Mailbox accounts={accounts.data} />;
}

function Mailbox({ accounts }: { accounts: RouterOutputs["mailAccount"]["list"] }) {
  const trpc = useTRPC();
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/mail" });
  const actions = useMailActions();
  const [composer, setComposer] = useState<ComposeInit | null>(null);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [cursor, setCursor] = useState(0);
  const [openThread, setOpenThread] = useState<ThreadDetail | undefined>();
  const searchRef = useRef<HTMLInputElement>(null);
  const readingRef = useRef<HTMLDivElement>(null);

  const folders = useQuery({ ...trpc.mail.folders.queryOptions({}), ...mailRefetch });
  const role = search.folder ? undefined : (search.role ?? "inbox");
  const { threads, items } = useThreadList(search, role);
  const filtered = hasListFilter(search);
  const order = useRef<readonly string[]>([]);
  order.current = useMemo(() => items.map((thread) => thread.id), [items]);
  const selection = useSelection(
    JSON.stringify([
      search.folder,
      search.account,
      role,
      search.q,
      search.sort,
      search.unread,
      search.starred,
      search.attachments,
      search.needsReply,
      search.priority,
    ]),
    () => order.current,
  );
  const correct = useAiCorrection();
  const ownAddresses = useMemo(() => new Set(accounts.map((account) => account.email.toLowerCase())), [accounts]);

  const selectedId = search.thread;
  const current: Thread | undefined = selectedId ? items.find((thread) => thread.id === selectedId) : items[cursor];
  const currentId = selectedId ?? current?.id;

  const priorityView = !search.folder && role === "inbox" && search.sort === "priority";
  const folderName = search.folder
    ? (folders.data?.find((folder) => folder.id === search.folder)?.name ?? "Folder")
    : priorityView
      ? "Priority inbox"
      : roleNames[role ?? "inbox"];
  const inboxUnread = (folders.data ?? [])
    .filter((folder) => folder.role === "inbox" && (!search.account || folder.accountId === search.account))
    .reduce((sum, folder) => sum + folder.unread, 0);

  useEffect(() => {
    document.title = inboxUnread > 0 ? `(${inboxUnread}) ${folderName} · Tidings` : `${folderName} · Tidings`;
    return () => {
      document.title = "Tidings";
    };
  }, [inboxUnread, folderName]);

  // Keep the cursor on the open thread, and in range when the list shrinks.
  useEffect(() => {
    if (selectedId) {
      const index = items.findIndex((thread) => thread.id === selectedId);
      if (index >= 0) setCursor(index);
    } else if (cursor >= items.length && items.length > 0) {
      setCursor(items.length - 1);
    }
  }, [selectedId, items, cursor]);

  const openAt = useCallback(
    (threadId: string | undefined) => {
      void navigate({ search: (previous) => ({ ...previous, thread: threadId }) });
    },
    [navigate],
  );

  const onThreadLoaded = useCallback(
    (thread: ThreadDetail) => {
      setOpenThread(thread);
      // Opening a thread reads it, here and on the server.
      if (thread.messages.some((message) => !message.flags.seen)) void actions.setSeen([thread.id], true, true);
      readingRef.current?.querySelector<HTMLElement>("#thread-heading")?.focus({ preventScroll: true });
    },
    [actions],
  );

  /** After archive or delete: the next conversation opens (or the list, if none is left). */
  const advanceFrom = (threadId: string) => {
    const index = items.findIndex((thread) => thread.id === threadId);
    const next = items[index + 1] ?? items[index - 1];
    if (selectedId === threadId) openAt(next?.id);
  };

  const replyTo = (mode: "reply" | "all" | "forward") => {
    const thread = openThread && openThread.id === currentId ? openThread : undefined;
    const message: MailMessage | undefined = thread?.messages.at(-1);
    if (!message) {
      if (currentId && !selectedId) openAt(currentId);
      return;
    }
    const mine = (address: { email: string }) => ownAddresses.has(address.email.toLowerCase());
    const fromMe = mine(message.from);
    const direct = fromMe ? message.to : message.replyTo.length > 0 ? message.replyTo : [message.from];
    const header = `On ${longTime(message.date)}, ${formatAddress(message.from)} wrote:`;
    if (mode === "forward") {
      setComposer({
        title: "Forward",
        accountId: message.accountId,
        subject: prefixed("Fwd", thread?.subject ?? message.subject),
        text: `\n\n---------- Forwarded message ----------\nFrom: ${formatAddress(message.from)}\nDate: ${longTime(message.date)}\nSubject: ${message.subject}\nTo: ${message.to.map(formatAddress).join(", ")}\n\n${message.text ?? ""}`,
        forwardOf: message.id,
      });
      return;
    }
    const seen = new Set(direct.map((address) => address.email.toLowerCase()));
    const cc =
      mode === "all"
        ? [...message.to, ...message.cc].filter((address) => {
            const key = address.email.toLowerCase();
            if (seen.has(key) || ownAddresses.has(key)) return false;
            seen.add(key);
            return true;
          })
        : [];
    setComposer({
      title: mode === "all" ? "Reply all" : "Reply",
      accountId: message.accountId,
      to: direct.map(formatAddress).join(", "),
      cc: cc.map(formatAddress).join(", "),
      subject: prefixed("Re", thread?.subject ?? message.subject),
      text: `\n\n${header}\n${quote(message.text ?? "")}\n`,
      inReplyTo: message.id,
    });
  };

  /** A key (or a toolbar button's action name) → what it does; true when it did something. */
  const act = (key: string) => {
    const target = current;
    switch (key) {
      case "j":
      case "k": {
        const next = Math.min(Math.max(0, cursor + (key === "j" ? 1 : -1)), Math.max(0, items.length - 1));
        setCursor(next);
        // With a conversation open, moving opens the next one, as the reading pane follows.
        if (selectedId && items[next]) openAt(items[next].id);
        return true;
      }
      case "Enter":
      case "o":
        if (items[cursor]) openAt(items[cursor].id);
        return true;
      // As in Gmail: u goes back to the list (Shift+U, "U", marks unread below).
      case "Escape":
      case "u":
        // Esc first closes the open conversation, then clears a selection.
        if (!selectedId && key === "Escape" && selection.picked.size > 0) {
          selection.clear();
          return true;
        }
        if (selectedId) {
          openAt(undefined);
          setTimeout(
            () =>
              document
                .querySelector<HTMLElement>(`[data-testid="thread-list"] [data-index="${cursor}"] a`)
                ?.focus({ preventScroll: true }),
            50,
          );
          return true;
        }
        return false;
      case "e":
        if (target) {
          advanceFrom(target.id);
          void actions.archive([target.id]);
        }
        return true;
      case "#":
        if (target) {
          advanceFrom(target.id);
          void actions.trash([target.id]);
        }
        return true;
      case "s":
        if (target) void actions.setFlagged([target.id], !target.starred);
        return true;
      case "x":
      case "X":
        if (items[cursor]) selection.toggle(items[cursor].id, key === "X");
        return true;
      case "J":
      case "K": {
        // Shift+j/k: the row left and the row reached are both picked, so a walk picks a range.
        const next = Math.min(Math.max(0, cursor + (key === "J" ? 1 : -1)), Math.max(0, items.length - 1));
        if (items[cursor]) selection.add(items[cursor].id);
        if (items[next]) selection.add(items[next].id);
        setCursor(next);
        return true;
      }
      case "U":
        if (target) void actions.setSeen([target.id], false);
        return true;
      case "toggle-read":
        if (target) void actions.setSeen([target.id], target.unread > 0);
        return true;
      case "r":
        replyTo("reply");
        return true;
      case "a":
        replyTo("all");
        return true;
      case "f":
        replyTo("forward");
        return true;
      case "c":
        setComposer({ title: "New message", ...(search.account ? { accountId: search.account } : {}) });
        return true;
      case "/":
        searchRef.current?.focus();
        searchRef.current?.select();
        return true;
      case "?":
        setShowShortcuts(true);
        return true;
    }
    return false;
  };
  const actRef = useRef(act);
  actRef.current = act;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return;
      if (isTyping(event.target)) {
        if (event.key === "Escape" && event.target === searchRef.current) searchRef.current?.blur();
        return;
      }
      // Enter on a focused link or button does what that control does.
      if (event.key === "Enter" && event.target instanceof HTMLElement && event.target.closest("a, button")) return;
      // Dialogs (compose, shortcuts) and menus keep their keys.
      if (document.querySelector('[role="dialog"], [role="alertdialog"], [role="menu"]')) return;
      if (actRef.current(event.key)) event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const changeList = (change: Partial<ThreadListSearch>) =>
    void navigate({ search: (previous) => ({ ...previous, ...change, thread: undefined }) });

  const { fetchNextPage } = threads;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const picked = items.filter((thread) => selection.picked.has(thread.id));
  const bulk = (run: (threadIds: string[]) => Promise<unknown>, keepSelection = false) => {
    const ids = picked.map((thread) => thread.id);
    if (!keepSelection) selection.clear();
    void (async () => {
      for (const slice of slices(ids)) await run(slice);
    })();
  };

  const starredNow = current?.starred ?? false;
  const unreadNow = (current?.unread ?? 0) > 0;
  const accountFolders = (accountId: string) => (folders.data ?? []).filter((folder) => folder.accountId === accountId);

  return (
    <div className="grid h-full min-h-0 grid-cols-[minmax(0,1fr)] md:grid-cols-[minmax(18rem,24rem)_1fr] lg:grid-cols-[14rem_minmax(20rem,26rem)_1fr]">
      <FolderNav
        folders={folders.data ?? []}
        accounts={accounts}
        activeRole={role}
        activeFolder={search.folder}
        activeAccount={search.account}
        prioritySort={search.sort === "priority"}
        onCompose={() => setComposer({ title: "New message" })}
      />
      <section
        aria-label="Conversations"
        className={`flex min-h-0 flex-col border-r border-line bg-surface ${selectedId ? "hidden md:flex" : "flex"}`}
      >
        <div className="grid gap-2 border-b border-line px-3 py-3">
          <div className="flex items-center justify-between gap-2">
            <h1 className="text-lg font-semibold">
              {search.q ? `Search: ${search.q}` : folderName}
              {search.account && (
                <span className="ml-2 text-sm font-normal text-muted">
                  {accounts.find((account) => account.id === search.account)?.email}
                </span>
              )}
            </h1>
            <div className="flex items-center gap-1">
              <label htmlFor="mobile-folder" className="sr-only">
                Folder
              </label>
              <select
                id="mobile-folder"
                className="rounded-lg border border-line bg-surface px-2 py-1.5 text-sm lg:hidden"
                value={search.folder ?? (priorityView ? "priority" : (role ?? "inbox"))}
                onChange={(event) => {
                  const value = event.target.value;
                  const isRole = value in roleNames;
                  void navigate({
                    search:
                      value === "priority"
                        ? { role: "inbox", sort: "priority" }
                        : isRole
                          ? { role: value as Role }
                          : { folder: value },
                  });
                }}
              >
                <option value="priority">Priority inbox</option>
                {roleOrder.map((item) => (
                  <option key={item} value={item}>
                    {roleNames[item]}
                  </option>
                ))}
                {(folders.data ?? [])
                  .filter((folder) => !folder.role)
                  .map((folder) => (
                    <option key={folder.id} value={folder.id}>
                      {folder.name}
                    </option>
                  ))}
              </select>
              <Button
                variant="primary"
                className="px-3 py-1.5 lg:hidden"
                onClick={() => setComposer({ title: "New message" })}
              >
                Compose
              </Button>
            </div>
          </div>
          <search>
            <SearchBox
              query={search.q}
              inputRef={searchRef}
              onSearch={(q) => void navigate({ search: (previous) => ({ ...previous, q, thread: undefined }) })}
            />
          </search>
          {picked.length > 0 ? (
            <BulkBar
              all={allState(selection.picked, order.current)}
              onAll={selection.setAll}
              count={picked.length}
              anyUnread={picked.some((thread) => thread.unread > 0)}
              onArchive={() => bulk(actions.archive)}
              onTrash={() => bulk(actions.trash)}
              onSeen={(seen) => bulk((ids) => actions.setSeen(ids, seen), true)}
              onStar={() => bulk((ids) => actions.setFlagged(ids, !picked.every((thread) => thread.starred)), true)}
              onClear={selection.clear}
            />
          ) : (
            <div className="flex min-w-0 items-center">
              {items.length > 0 && <SelectAllBox state={false} onChange={selection.setAll} />}
              <div className="min-w-0 flex-1">
                <ListFilters search={search} onChange={changeList} />
              </div>
            </div>
          )}
        </div>
        {threads.isPending ? (
          <div className="flex items-center gap-2 p-6 text-muted" role="status">
            <Spinner /> Loading conversations…
          </div>
        ) : threads.isError ? (
          <p role="alert" className="p-6 text-danger">
            {generalMessage(threads.error)}
          </p>
        ) : items.length === 0 ? (
          <div className="grid justify-items-center gap-2 p-10 text-center text-muted">
            <InboxIcon width={32} height={32} />
            <p className="font-medium text-fg">{search.q || filtered ? "Nothing matches" : "All caught up"}</p>
            <p className="text-sm">
              {search.q
                ? "Try other words or fewer operators."
                : filtered
                  ? "No conversation here passes these filters."
                  : "No conversations here."}
            </p>
          </div>
        ) : (
          <ThreadList
            items={items}
            label={`${folderName} conversations`}
            cursor={cursor}
            openId={selectedId}
            checked={selection.picked}
            own={ownAddresses}
            hasMore={threads.hasNextPage}
            loadingMore={threads.isFetchingNextPage}
            loadMore={loadMore}
            onCursor={setCursor}
            onCheck={selection.toggle}
            onCorrect={correct}
          />
        )}
        <p className="hidden border-t border-line px-3 py-2 text-xs text-muted md:block">
          Press <kbd className="rounded border border-line px-1">?</kbd> for keyboard shortcuts
        </p>
      </section>
      <section
        aria-label="Reading pane"
        ref={readingRef}
        className={`min-h-0 flex-col bg-bg ${selectedId ? "flex" : "hidden md:flex"}`}
      >
        {selectedId ? (
          <>
            <div
              role="toolbar"
              aria-label="Conversation actions"
              className="order-last flex items-center gap-1 border-t border-line bg-surface px-2 py-2 md:order-first md:border-t-0 md:border-b"
            >
              <ToolbarButton label="Archive" shortcut="e" onClick={() => act("e")}>
                Archive
              </ToolbarButton>
              <ToolbarButton label="Delete" shortcut="#" onClick={() => act("#")}>
                Delete
              </ToolbarButton>
              <ToolbarButton
                label={unreadNow ? "Mark read" : "Mark unread"}
                shortcut={unreadNow ? undefined : "Shift+U"}
                onClick={() => act("toggle-read")}
              >
                {unreadNow ? "Read" : "Unread"}
              </ToolbarButton>
              <ToolbarButton
                label={starredNow ? "Unstar" : "Star"}
                shortcut="s"
                pressed={starredNow}
                className="gap-1.5"
                onClick={() => act("s")}
              >
                {/* Text like its neighbours, so the phone's toolbar is not a row of words and one lone glyph. */}
                <StarGlyph filled={starredNow} />
                {starredNow ? "Unstar" : "Star"}
              </ToolbarButton>
              {current && (
                <MoveMenu
                  folders={accountFolders(current.accountId)}
                  onMove={(folder) => {
                    advanceFrom(current.id);
                    void actions.moveToFolder([current.id], folder.id, folder.name);
                  }}
                />
              )}
              <span className="ml-auto flex items-center gap-1">
                <ToolbarButton label="Reply" shortcut="r" onClick={() => replyTo("reply")}>
                  Reply
                </ToolbarButton>
                <ToolbarButton
                  label="Reply all"
                  shortcut="a"
                  className="hidden sm:inline-flex"
                  onClick={() => replyTo("all")}
                >
                  Reply all
                </ToolbarButton>
                <ToolbarButton
                  label="Forward"
                  shortcut="f"
                  className="hidden sm:inline-flex"
                  onClick={() => replyTo("forward")}
                >
                  Forward
                </ToolbarButton>
              </span>
            </div>
            <div className="flex items-center border-b border-line bg-surface px-2 py-1 md:hidden">
              {/* The name holds the visible text (WCAG 2.5.3), so "Inbox" spoken or clicked finds it. */}
              <ToolbarButton label={`Back to ${folderName}`} className="gap-1" onClick={() => openAt(undefined)}>
                <BackGlyph />
                {folderName}
              </ToolbarButton>
            </div>
            <div className="min-h-0 flex-1 overflow-y-auto px-3 py-4 sm:px-6">
              <ThreadView key={selectedId} threadId={selectedId} onLoaded={onThreadLoaded} onCompose={setComposer} />
            </div>
          </>
        ) : (
          <div className="m-auto grid justify-items-center gap-2 p-10 text-center text-muted">
            <InboxIcon width={40} height={40} />
            <p>Select a conversation to read it.</p>
            <p className="text-sm">
              <kbd className="rounded border border-line px-1">j</kbd>{" "}
              <kbd className="rounded border border-line px-1">k</kbd> to move,{" "}
              <kbd className="rounded border border-line px-1">Enter</kbd> to open
            </p>
          </div>
        )}
      </section>
      {composer && (
        <Composer
          key={JSON.stringify(composer)}
          init={composer}
          onClose={() => setComposer(null)}
          onReopen={(init) => setComposer({ ...init })}
        />
      )}
      <Dialog.Root open={showShortcuts} onOpenChange={setShowShortcuts}>
        <Dialog.Portal>
          <Dialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
          <Dialog.Content
            aria-describedby={undefined}
            className="fixed top-1/2 left-1/2 z-50 grid max-h-[90dvh] w-[calc(100%-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 gap-4 overflow-y-auto rounded-2xl border border-line bg-surface p-6 text-fg shadow-xl"
          >
            <Dialog.Title className="text-lg font-semibold">Keyboard shortcuts</Dialog.Title>
            <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
              {shortcuts.map(([keys, what]) => (
                <div key={keys} className="contents">
                  <dt>
                    <kbd className="rounded border border-line bg-surface-muted px-1.5 py-0.5 font-mono text-xs">
                      {keys}
                    </kbd>
                  </dt>
                  <dd className="text-muted">{what}</dd>
                </div>
              ))}
            </dl>
            <Dialog.Close asChild>
              <Button variant="secondary">Close</Button>
            </Dialog.Close>
          </Dialog.Content>
        </Dialog.Portal>
      </Dialog.Root>
    </div>
  );
}

function ToolbarButton({
  label,
  shortcut,
  pressed,
  className = "",
  onClick,
  children,
}: {
  label: string;
  shortcut?: string;
  pressed?: boolean;
  className?: string;
  onClick: () => void;
  children: React.ReactNode;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      aria-pressed={pressed}
      aria-keyshortcuts={shortcut}
      title={shortcut ? `${label} (${shortcut})` : label}
      onClick={onClick}
      // A caller's "hidden sm:inline-flex" must not meet a second display class it cannot beat.
      className={`${className.includes("hidden") ? "" : "inline-flex"} min-h-11 items-center justify-center rounded-lg px-2 text-sm font-medium whitespace-nowrap text-fg hover:bg-surface-muted sm:min-h-10 sm:px-3 ${className}`}
    >
      {children}
    </button>
  );
}

function MoveMenu({ folders, onMove }: { folders: Folder[]; onMove: (folder: Folder) => void }) {
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger className="hidden min-h-10 items-center rounded-lg px-3 text-sm font-medium text-fg hover:bg-surface-muted sm:inline-flex">
        Move
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="start"
          sideOffset={4}
          className="z-50 max-h-80 min-w-48 overflow-y-auto rounded-xl border border-line bg-surface p-1 text-fg shadow-lg"
        >
          {folders.map((folder) => (
            <DropdownMenu.Item
              key={folder.id}
              onSelect={() => onMove(folder)}
              className="cursor-pointer rounded-lg px-3 py-2 text-sm outline-none data-highlighted:bg-surface-muted"
            >
              {folder.role ? roleNames[folder.role] : folder.name}
            </DropdownMenu.Item>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
