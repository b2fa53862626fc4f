import type { Redis } from "ioredis";

/**
 * Which sessions ended before their access tokens expire. Every server process consults it on
 * every authenticated request, so revocation takes effect at once everywhere (S14). Entries live
 * as long as an access token can, after which the token's own expiry refuses it.
 */
export interface RevocationStore {
  revoke(sessionIds: readonly string[], ttlSeconds: number): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
  /** Whether other processes' revocations are being heard as they happen (the Redis store's subscriber). */
  isListening?(): boolean;
  /** Stops listening for other processes' revocations. */
  close?(): Promise<void>;
}

export interface RedisRevocationOptions {
  /**
   * A connection of its own for pub/sub (it cannot run other commands). With it, each process
   * learns of revocations as they are published and answers most checks from memory; without
   * it, every check is a round trip to Redis.
   */
  subscriber?: Redis;
  /** How long a "not revoked" answer from Redis is reused while the subscription is live. */
  negativeCacheMs?: number;
  now?: () => number;
}

/** Kept per process; past this many entries the oldest half is dropped (they are re-read from Redis). */
const MAX_CACHED_SESSIONS = 50_000;

export function createRedisRevocationStore(
  redis: Redis,
  prefix: string,
  options: RedisRevocationOptions = {},
): RevocationStore {
  const key = (sessionId: string) => `${prefix}:revoked-session:${sessionId}`;
  const channel = `${prefix}:revoked-sessions`;
  const { subscriber, negativeCacheMs = 1_000, now = Date.now } = options;

  // What this process knows. `revokedUntil` wins over `checkedAt`: a revocation published while a
  // check was on its way to Redis must not be overwritten by that check's older "no".
  const revokedUntil = new Map<string, number>();
  const checkedAt = new Map<string, { at: number; epoch: number }>();
  // Bumped whenever the subscription may have missed a message; older "no" answers are then void.
  let epoch = 0;
  let listening = false;

  const remember = <V>(map: Map<string, V>, id: string, value: V) => {
    if (map.size >= MAX_CACHED_SESSIONS) {
      let drop = map.size / 2;
      for (const oldest of map.keys()) {
        map.delete(oldest);
        if (--drop <= 0) break;
      }
    }
    map.set(id, value);
  };
  const learnRevoked = (ids: readonly string[], ttlSeconds: number) => {
    const until = now() + ttlSeconds * 1000;
    for (const id of ids) {
      remember(revokedUntil, id, until);
      checkedAt.delete(id);
    }
  };

  if (subscriber) {
    const stopListening = () => {
      listening = false;
      epoch++;
    };
    subscriber.on("close", stopListening);
    subscriber.on("end", stopListening);
    const listen = () => {
      subscriber.subscribe(channel).then(
        () => {
          epoch++;
          listening = true;
        },
        () => stopListening(),
      );
    };
    subscriber.on("ready", listen);
    if (subscriber.status === "ready") listen();
    subscriber.on("message", (from: string, message: string) => {
      if (from !== channel) return;
      const [ttl, ...ids] = message.split(",");
      learnRevoked(ids, Number(ttl) || 0);
    });
  }

  return {
    async revoke(sessionIds, ttlSeconds) {
      if (!sessionIds.length) return;
      const ttl = Math.max(1, Math.ceil(ttlSeconds));
      const transaction = redis.multi();
      for (const id of sessionIds) transaction.set(key(id), "1", "EX", ttl);
      // Published in the same transaction as the keys: no process can see one without the other.
      transaction.publish(channel, [ttl, ...sessionIds].join(","));
      await transaction.exec();
      learnRevoked(sessionIds, ttl);
    },
    async isRevoked(sessionId) {
      const until = revokedUntil.get(sessionId);
      if (until !== undefined) {
        if (until > now()) return true;
        revokedUntil.delete(sessionId);
      }
      const checked = checkedAt.get(sessionId);
      if (listening && checked && checked.epoch === epoch && now() - checked.at < negativeCacheMs) return false;

      const startedIn = epoch;
      const startedAt = now();
      const ttlMs = await redis.pttl(key(sessionId));
      if (ttlMs > 0 || ttlMs === -1) {
        learnRevoked([sessionId], ttlMs > 0 ? ttlMs / 1000 : negativeCacheMs / 1000);
        return true;
      }
      if (revokedUntil.has(sessionId)) return true;
      if (listening && startedIn === epoch) remember(checkedAt, sessionId, { at: startedAt, epoch: startedIn });
      return false;
    },
    isListening: () => listening,
    async close() {
      subscriber?.disconnect();
    },
  };
}

/** Embedded mode: one process, so a map with expiry times is the whole truth. */
export function createMemoryRevocationStore(now: () => number = Date.now): RevocationStore {
  const expiries = new Map<string, number>();
  return {
    async revoke(sessionIds, ttlSeconds) {
      const until = now() + ttlSeconds * 1000;
      for (const id of sessionIds) expiries.set(id, until);
      // Expired entries are dropped as new ones arrive, so the map stays as small as the live set.
      for (const [id, expiry] of expiries) if (expiry <= now()) expiries.delete(id);
    },
    async isRevoked(sessionId) {
      const expiry = expiries.get(sessionId);
      return expiry !== undefined && expiry > now();
    },
  };
}
