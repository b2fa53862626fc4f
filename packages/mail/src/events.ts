/**
 * What happens to a user's mail, as the worker (or an API call) reports it and the server relays
 * it to that user's open tabs (`mail.events`). Events carry ids only, never content: a listener
 * that wants the content asks for it through the API, which checks ownership.
 */
export type MailEvent =
  | { type: "message.new"; accountId: string; folderId: string; threadId: string; messageId: string }
  | { type: "thread.updated"; accountId: string; threadId: string }
  | { type: "thread.removed"; accountId: string; threadId: string }
  | { type: "folder.counts"; accountId: string; folderId: string; unread: number; total: number }
  | {
      type: "account.status";
      accountId: string;
      status: "connecting" | "syncing" | "ready" | "error" | "paused";
      /** Progress of a first sync, when one is running. */
      progress?: { done: number; total: number };
      error?: { code: string; message: string } | null;
    }
  | { type: "analysis.ready"; accountId: string; messageId: string; threadId: string }
  | {
      /** A message sent with mail.send went out, or failed for good (`error` says why). */
      type: "outgoing.status";
      accountId: string;
      outgoingId: string;
      status: "sent" | "failed";
      error?: string;
    }
  | {
      /** A change the user made here could not be applied on the server and was put back. */
      type: "action.failed";
      accountId: string;
      threadIds: string[];
      message: string;
    };

/** An event as delivered: with an id that orders a user's events, for resuming after a reconnect. */
export interface DeliveredMailEvent {
  id: string;
  userId: string;
  event: MailEvent;
}

export type MailEventListener = (delivered: DeliveredMailEvent) => void;

/**
 * Per-user publish/subscribe. Production: Redis (every server process relays its own users'
 * events, whichever worker published them). Embedded: in process.
 */
export interface MailEventBus {
  publish(userId: string, event: MailEvent): Promise<void>;
  /** Listens to one user's events; returns the function that stops listening. */
  subscribe(userId: string, listener: MailEventListener): () => void;
  /** Events of this user after `lastEventId`, as far as the bus still holds them (oldest first). */
  since(userId: string, lastEventId: string): Promise<DeliveredMailEvent[]>;
  /**
   * Resolves once every `subscribe` made so far receives what is published from then on (Redis
   * subscribes over the network; the memory bus at once). A listener that subscribes, waits for
   * this, then asks `since` misses nothing in between.
   */
  ready?(): Promise<void>;
  close(): Promise<void>;
}

// Memory ids are a sequence ("42"), Redis stream ids "<ms>-<seq>"; both order as number pairs.
const EVENT_ID = /^(\d{1,19})(?:-(\d{1,19}))?$/;

/**
 * Orders two event ids of one bus: negative, zero or positive like a sort comparator; undefined
 * when either is not an id the buses hand out (a forged or foreign `lastEventId`).
 */
export function compareMailEventIds(a: string, b: string): number | undefined {
  const left = EVENT_ID.exec(a);
  const right = EVENT_ID.exec(b);
  if (!left || !right) return undefined;
  const first = BigInt(left[1] ?? 0) - BigInt(right[1] ?? 0);
  const order = first !== 0n ? first : BigInt(left[2] ?? 0) - BigInt(right[2] ?? 0);
  return order === 0n ? 0 : order < 0n ? -1 : 1;
}

/** The embedded mode's bus: one process, so a map of listeners and a short per-user history. */
export function createMemoryMailEventBus(historyPerUser = 200): MailEventBus {
  const listeners = new Map<string, Set<MailEventListener>>();
  const history = new Map<string, DeliveredMailEvent[]>();
  let sequence = 0;
  return {
    async publish(userId, event) {
      sequence += 1;
      const delivered: DeliveredMailEvent = { id: String(sequence), userId, event };
      const kept = history.get(userId) ?? [];
      kept.push(delivered);
      if (kept.length > historyPerUser) kept.splice(0, kept.length - historyPerUser);
      history.set(userId, kept);
      for (const listener of listeners.get(userId) ?? []) listener(delivered);
    },
    subscribe(userId, listener) {
      const set = listeners.get(userId) ?? new Set();
      set.add(listener);
      listeners.set(userId, set);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(userId);
      };
    },
    async ready() {},
    async since(userId, lastEventId) {
      const after = Number(lastEventId);
      return (history.get(userId) ?? []).filter((delivered) => Number(delivered.id) > after);
    },
    async close() {
      listeners.clear();
      history.clear();
    },
  };
}
