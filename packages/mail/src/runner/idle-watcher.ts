import { ImapFlow, type ImapFlowOptions } from "imapflow";

export interface IdleWatcher {
  /** Settles when the connection ends: resolves after `close()`, rejects when it was lost. */
  ended: Promise<void>;
  close(): Promise<void>;
}

/** RFC 2177 asks clients to renew IDLE within 29 minutes; servers may drop quieter sessions. */
const IDLE_RENEW_MS = 10 * 60_000;

/**
 * One connection per account, idling on INBOX: the server tells it of new mail (EXISTS), removals
 * (EXPUNGE/VANISHED) and flag changes (FETCH) as they happen, and `onChange` is called for each.
 * The changes themselves are read by a MailboxSync pass on another connection, so this one never
 * leaves IDLE except to renew it.
 */
export async function watchInbox(options: ImapFlowOptions, onChange: () => void): Promise<IdleWatcher> {
  const client = new ImapFlow({ ...options, maxIdleTime: IDLE_RENEW_MS });
  let closing = false;
  let fail: (error: Error) => void = () => {};
  let finish: () => void = () => {};
  const ended = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // Handled from the start: a login the server refuses closes the client before anyone holds `ended`.
  ended.catch(() => {});
  // A lost connection surfaces as "error" and/or "close"; either ends the watch (once).
  client.on("error", (error: Error) => {
    if (!closing) fail(error);
  });
  client.on("close", () => {
    if (closing) finish();
    else fail(new Error("IDLE connection closed by the server"));
  });
  client.on("exists", onChange);
  client.on("expunge", onChange);
  client.on("flags", onChange);
  await client.connect();
  try {
    await client.mailboxOpen("INBOX");
  } catch (error) {
    closing = true;
    client.close();
    throw error;
  }
  void (async () => {
    try {
      while (!closing && client.usable) await client.idle();
    } catch (error) {
      if (!closing) fail(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return {
    ended,
    async close() {
      if (closing) return ended.catch(() => {});
      closing = true;
      // LOGOUT would first have to break IDLE; closing the socket is enough to end the session.
      client.close();
      finish();
      await ended.catch(() => {});
    },
  };
}
