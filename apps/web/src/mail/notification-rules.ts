// Which mail earns a desktop notification: pure rules, so they are tested without a browser.

/** Older mail is being analysed late (a first sync, a backlog): announcing it now would be noise. */
export const NOTIFY_WITHIN_MS = 15 * 60 * 1000;

export interface NotifiableMessage {
  date: Date | string;
  flags: { seen: boolean };
  ai: { priority: string | null } | null;
}

/** High priority, still unread, and recent. */
export function deservesNotification(message: NotifiableMessage, now = Date.now()): boolean {
  if (message.ai?.priority !== "high" || message.flags.seen) return false;
  return now - new Date(message.date).getTime() <= NOTIFY_WITHIN_MS;
}
