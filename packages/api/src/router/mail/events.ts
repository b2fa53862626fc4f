import { compareMailEventIds, type DeliveredMailEvent, type MailEvent, type MailEventBus } from "@tidings/mail";
import { TRPCError, type TrackedEnvelope, tracked } from "@trpc/server";

/**
 * Live events held for one connection while its client is slow to read. Past this the connection
 * ends with a retryable error: the client reconnects with its last id and the bus replays the rest,
 * instead of this process holding an unbounded queue.
 */
const LIVE_BACKLOG = 1_000;

export interface MailEventStreamOptions {
  bus: MailEventBus;
  userId: string;
  /** The id of the last event the client saw (from the input or the `Last-Event-ID` header). */
  lastEventId: string | undefined;
  /** The request's end: the client went away. */
  signal: AbortSignal | undefined;
  /** The server's shutdown: the client should reconnect (to another process). */
  shutdown: AbortSignal | undefined;
}

/**
 * Ends a stream so that the client reconnects with its last id: tRPC's client retries on this code
 * where a plain end of the stream would stop the subscription for good.
 */
const reconnect = (message: string) => new TRPCError({ code: "SERVICE_UNAVAILABLE", message });

/**
 * `mail.events`: what the bus still holds after `lastEventId`, then live events, each exactly once
 * and in order. Subscribes before replaying, so an event published while the replay is read is
 * queued rather than lost, and dropped if the replay already had it.
 */
export async function* mailEventStream(
  options: MailEventStreamOptions,
): AsyncGenerator<TrackedEnvelope<MailEvent>, void, unknown> {
  const { bus, userId } = options;
  const { shutdown } = options;
  const signal = AbortSignal.any([options.signal, shutdown].filter((given) => given !== undefined));
  const queue: DeliveredMailEvent[] = [];
  let overflowed = false;
  let wake: (() => void) | undefined;
  const stop = bus.subscribe(userId, (delivered) => {
    if (queue.length >= LIVE_BACKLOG) overflowed = true;
    else queue.push(delivered);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    await bus.ready?.();
    let last = options.lastEventId;
    if (last !== undefined) {
      for (const delivered of await bus.since(userId, last)) {
        if (signal.aborted) break;
        last = delivered.id;
        yield tracked(delivered.id, delivered.event);
      }
    }
    while (!signal.aborted) {
      const next = queue.shift();
      if (next) {
        // Only an id the replay (or the client) already had compares at or below `last`.
        if (last !== undefined && (compareMailEventIds(next.id, last) ?? 1) <= 0) continue;
        last = next.id;
        yield tracked(next.id, next.event);
        continue;
      }
      if (overflowed) throw reconnect("Too many events at once; reconnect to catch up");
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
    if (shutdown?.aborted) throw reconnect("The server is restarting; reconnect");
  } finally {
    signal.removeEventListener("abort", onAbort);
    stop();
  }
}
