import type { Redis } from "ioredis";

/**
 * Which sessions ended before their access tokens expire. Every server process consults it on
 * every authenticated request, so revocation takes effect at once everywhere (S14). Entries live
 * as long as an access token can, after which the token's own expiry refuses it.
 */
export interface RevocationStore {
  revoke(sessionIds: readonly string[], ttlSeconds: number): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
}

/**
 * One Redis key per ended session, expiring with the session's last access token; a check is one
 * EXISTS. Every process reads the same keys, so a revocation holds everywhere as soon as it is
 * written. Redis keeps nothing on disk here: the start-up restore (restoreEndedSessions) writes
 * the recent ones again from the sessions table.
 */
export function createRedisRevocationStore(redis: Redis, prefix: string): RevocationStore {
  const key = (sessionId: string) => `${prefix}:revoked-session:${sessionId}`;
  return {
    async revoke(sessionIds, ttlSeconds) {
      if (!sessionIds.length) return;
      const ttl = Math.max(1, Math.ceil(ttlSeconds));
      const transaction = redis.multi();
      for (const id of sessionIds) transaction.set(key(id), "1", "EX", ttl);
      const failed = (await transaction.exec())?.find(([error]) => error);
      if (failed) throw failed[0];
    },
    async isRevoked(sessionId) {
      return (await redis.exists(key(sessionId))) === 1;
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
