import { Link } from "@tanstack/react-router";
import type { RouterOutputs } from "@tidings/client";
import { Badge, Card } from "../../components/ui.tsx";
import { timeAgo } from "../../lib/format-time.ts";

type Account = RouterOutputs["mailAccount"]["list"][number];

const status = {
  ready: { tone: "success", label: "Up to date" },
  syncing: { tone: "accent", label: "Syncing" },
  connecting: { tone: "accent", label: "Connecting" },
  paused: { tone: "neutral", label: "Paused" },
  error: { tone: "danger", label: "Error" },
} as const;

/** Each mailbox's sync status: is what the dashboard counts current, and if not, why. */
export function MailboxStatus({ accounts }: { accounts: Account[] }) {
  return (
    <Card className="grid content-start gap-3">
      <div className="flex items-baseline justify-between gap-2">
        <h2 className="text-lg font-semibold">Mailboxes</h2>
        <Link to="/mail/settings" className="text-sm font-medium">
          Manage
        </Link>
      </div>
      <ul className="grid gap-3" aria-label="Mailbox sync status">
        {accounts.map((account) => (
          <li key={account.id} className="grid gap-1" data-testid="mailbox-status">
            <div className="flex items-center justify-between gap-2">
              <span className="min-w-0 truncate font-medium">{account.displayName || account.email}</span>
              <Badge tone={status[account.status].tone}>{status[account.status].label}</Badge>
            </div>
            <p className="text-sm text-muted">
              {account.lastSyncAt ? `Synced ${timeAgo(new Date(account.lastSyncAt))}` : "Not synced yet"} ·{" "}
              {account.unreadCount} unread of {account.messageCount}
            </p>
            {account.error && <p className="text-sm text-danger">{account.error.message}</p>}
          </li>
        ))}
      </ul>
    </Card>
  );
}
