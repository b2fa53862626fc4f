import type { Redis } from "ioredis";
import type { DeliveredMailEvent, MailEvent, MailEventBus, MailEventListener } from "./events.ts";

/** Events kept per user for `since` (about; Redis trims whole stream nodes). */
const HISTORY_PER_USER = 1_000;
/** A user nobody publishes for loses the history after this long; nobody resumes from that far back. */
const HISTORY_TTL_SECONDS = 7 * 24 * 3600;

// One round trip, atomic: the event gets its stream id, then goes out live carrying that id, so a
// listener that reconnects and asks `since(lastSeenId)` neither misses nor repeats anything.
const PUBLISH_SCRIPT = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[2], id .. '\\n' .. ARGV[2])
return id`;

// 19 digits stay below 2^64, which XRANGE would refuse.
const STREAM_ID = /^\d{1,19}-\d{1,19}$/;

export interface RedisMailEventBus extends MailEventBus {
  /** Resolves once every subscription asked for so far is active on the server. */
  ready(): Promise<void>;
}

/**
 * The production bus, shared by every worker and server process through Redis.
 *
 * Why a stream per user plus PUBLISH, rather than XREAD BLOCK alone: the stream gives each event a
 * lasting, ordered id (what `since` replays after a reconnect, trimmed to about 1 000 per user),
 * and PUBLISH fans an event out to whichever server processes have that user's tabs open, all on
 * one subscriber connection per process. XREAD BLOCK would need one blocked connection per
 * listening user (or a poll over every stream), which does not scale to many users per process.
 *
 * `redis` is the caller's connection for commands (not closed here); the subscriber connection is
 * a duplicate of it, opened at the first subscription and closed by `close`.
 */
export function createRedisMailEventBus(redis: Redis, prefix: string): RedisMailEventBus {
  const streamKey = (userId: string) => `${prefix}:mail:events:${userId}`;
  const channelPrefix = `${prefix}:mail:live:`;
  const listeners = new Map<string, Set<MailEventListener>>();
  let subscriber: Redis | undefined;
  let pending: Promise<unknown> = Promise.resolve();

  const connection = (): Redis => {
    if (subscriber) return subscriber;
    const created = redis.duplicate();
    // ioredis reconnects and subscribes again by itself; errors are only reported meanwhile.
    created.on("error", () => {});
    created.on("message", (channel: string, message: string) => {
      if (!channel.startsWith(channelPrefix)) return;
      const userId = channel.slice(channelPrefix.length);
      const newline = message.indexOf("\n");
      if (newline < 0) return;
      const delivered: DeliveredMailEvent = {
        id: message.slice(0, newline),
        userId,
        event: JSON.parse(message.slice(newline + 1)) as MailEvent,
      };
      for (const listener of listeners.get(userId) ?? []) listener(delivered);
    });
    subscriber = created;
    return created;
  };

  // Subscriptions change in the order they were asked for, so a quick unsubscribe/subscribe pair
  // cannot end unsubscribed.
  const change = (work: (client: Redis) => Promise<unknown>) => {
    const client = connection();
    pending = pending.then(() => work(client)).catch(() => {});
  };

  return {
    async publish(userId, event) {
      await redis.eval(
        PUBLISH_SCRIPT,
        2,
        streamKey(userId),
        channelPrefix + userId,
        HISTORY_PER_USER,
        JSON.stringify(event),
        HISTORY_TTL_SECONDS,
      );
    },
    subscribe(userId, listener) {
      let set = listeners.get(userId);
      if (!set) {
        set = new Set();
        listeners.set(userId, set);
        change((client) => client.subscribe(channelPrefix + userId));
      }
      set.add(listener);
      const own = set;
      return () => {
        own.delete(listener);
        if (own.size === 0 && listeners.get(userId) === own) {
          listeners.delete(userId);
          change((client) => client.unsubscribe(channelPrefix + userId));
        }
      };
    },
    async since(userId, lastEventId) {
      // Anything but a stream id (a tab from before a Redis restart, a forged value) replays nothing.
      if (!STREAM_ID.test(lastEventId)) return [];
      const entries = await redis.xrange(streamKey(userId), `(${lastEventId}`, "+", "COUNT", HISTORY_PER_USER);
      return entries.flatMap(([id, fields]) => {
        const at = fields.indexOf("e");
        const payload = at < 0 ? undefined : fields[at + 1];
        return payload === undefined ? [] : [{ id, userId, event: JSON.parse(payload) as MailEvent }];
      });
    },
    async ready() {
      await pending;
    },
    async close() {
      listeners.clear();
      await pending;
      subscriber?.disconnect();
      subscriber = undefined;
    },
  };
}
