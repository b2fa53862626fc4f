import { Link } from "@tanstack/react-router";
import type { RouterOutputs } from "@tidings/client";
import { Button } from "../components/ui.tsx";
import { type Folder, type Role, roleNames, roleOrder } from "./folder-names.ts";

/** The folder list of wide screens: roles across accounts, the priority view, then each account's folders. */
export function FolderNav({
  folders,
  accounts,
  activeRole,
  activeFolder,
  activeAccount,
  prioritySort,
  onCompose,
}: {
  folders: Folder[];
  accounts: RouterOutputs["mailAccount"]["list"];
  activeRole: Role | undefined;
  activeFolder: string | undefined;
  activeAccount: string | undefined;
  /** The priority inbox view (inbox ordered by priority) is showing. */
  prioritySort: boolean;
  onCompose: () => void;
}) {
  const unreadFor = (role: Role, accountId?: string) =>
    folders
      .filter((folder) => folder.role === role && (!accountId || folder.accountId === accountId))
      .reduce((sum, folder) => sum + folder.unread, 0);
  const item = (active: boolean) =>
    `flex items-center justify-between gap-2 rounded-lg px-3 py-1.5 text-sm no-underline ${
      active ? "bg-accent-soft font-semibold text-fg" : "text-fg hover:bg-surface-muted"
    }`;
  return (
    <nav
      aria-label="Folders"
      className="hidden min-h-0 flex-col gap-4 overflow-y-auto border-r border-line bg-surface px-3 py-4 lg:flex"
    >
      <Button onClick={onCompose} className="w-full" aria-keyshortcuts="c">
        Compose
      </Button>
      <ul className="grid gap-0.5">
        {roleOrder.map((role) => {
          const unread = role === "inbox" || role === "junk" ? unreadFor(role) : 0;
          const active = !activeFolder && !activeAccount && activeRole === role && !prioritySort;
          return (
            <li key={role}>
              <Link to="/mail" search={{ role }} className={item(active)} aria-current={active ? "page" : undefined}>
                <span>{role === "inbox" ? "All inboxes" : roleNames[role]}</span>
                {unread > 0 && (
                  <span className="text-xs font-semibold text-muted">
                    {unread}
                    <span className="sr-only"> unread</span>
                  </span>
                )}
              </Link>
            </li>
          );
        })}
        <li>
          <Link
            to="/mail"
            search={{ role: "inbox", sort: "priority" }}
            className={item(prioritySort && !activeFolder && !activeAccount && activeRole === "inbox")}
            aria-current={
              prioritySort && !activeFolder && !activeAccount && activeRole === "inbox" ? "page" : undefined
            }
          >
            <span>Priority inbox</span>
          </Link>
        </li>
        <li>
          <Link to="/mail" search={{ role: "inbox", starred: true }} className={item(false)}>
            Starred
          </Link>
        </li>
      </ul>
      {accounts.map((account) => {
        const own = folders.filter((folder) => folder.accountId === account.id);
        const inbox = own.find((folder) => folder.role === "inbox");
        const others = own.filter((folder) => !folder.role);
        return (
          <div key={account.id} className="grid gap-1">
            <p className="flex items-center gap-2 truncate px-3 text-xs font-semibold tracking-wide text-muted uppercase">
              <span
                className={`size-2 shrink-0 rounded-full ${account.status === "error" ? "bg-danger" : account.status === "ready" ? "bg-success" : "bg-warning"}`}
                aria-hidden="true"
              />
              <span className="truncate" title={account.email}>
                {account.displayName || account.email}
              </span>
              <span className="sr-only">({account.status})</span>
            </p>
            {account.error && <p className="px-3 text-xs text-danger">{account.error.message}</p>}
            <ul className="grid gap-0.5">
              {inbox && (
                <li>
                  <Link
                    to="/mail"
                    search={{ role: "inbox", account: account.id }}
                    className={item(activeAccount === account.id && activeRole === "inbox")}
                  >
                    <span>Inbox</span>
                    {inbox.unread > 0 && <span className="text-xs font-semibold text-muted">{inbox.unread}</span>}
                  </Link>
                </li>
              )}
              {others.map((folder) => (
                <li key={folder.id}>
                  <Link
                    to="/mail"
                    search={{ folder: folder.id, account: account.id }}
                    className={item(activeFolder === folder.id)}
                  >
                    <span className="truncate">{folder.name}</span>
                    {folder.unread > 0 && <span className="text-xs font-semibold text-muted">{folder.unread}</span>}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
      <div className="grid gap-1 px-3 text-sm">
        <Link to="/mail/connect">+ Connect a mailbox</Link>
        <Link to="/mail/settings">Mailbox settings</Link>
      </div>
    </nav>
  );
}
