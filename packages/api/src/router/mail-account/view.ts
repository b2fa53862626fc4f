import type { MailAccountCounts, MailAccountRow } from "@tidings/db";

/** API.md `MailAccount`: what a caller may see of an account; never a password or token (S23). */
export interface MailAccountView {
  id: string;
  email: string;
  displayName: string | null;
  provider: string;
  status: MailAccountRow["status"];
  error: { code: string; message: string; at: Date } | null;
  lastSyncAt: Date | null;
  messageCount: number;
  unreadCount: number;
  aiEnabled: boolean;
  createdAt: Date;
}

export function toMailAccountView(row: MailAccountRow, counts: MailAccountCounts | undefined): MailAccountView {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    provider: row.provider,
    status: row.status,
    error:
      row.error_code !== null
        ? { code: row.error_code, message: row.error_message ?? "", at: row.error_at ?? row.updated_at }
        : null,
    lastSyncAt: row.last_sync_at,
    messageCount: counts?.messages ?? 0,
    unreadCount: counts?.unread ?? 0,
    aiEnabled: row.ai_enabled,
    createdAt: row.created_at,
  };
}
