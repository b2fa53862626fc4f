import { toUserView, type UserView } from "@tidings/auth";
import { type Database, findUserById, type Kysely } from "@tidings/db";

// Kept by measurement: without it auth.me took ~2x the server CPU per request (pnpm bench:cpu, 2 runs, 794/903 vs 330/449 us).
/** How long this process reuses a user's view for `auth.me`; other processes' edits show after it. */
export const USER_VIEW_TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  view: Promise<UserView | undefined>;
  expiresAt: number;
}

// One cache per database handle, so tests and tools with their own database never share entries.
const caches = new WeakMap<Kysely<Database>, Map<string, Entry>>();

/**
 * The signed-in user's view, read at most once per USER_VIEW_TTL_MS per process: a client that
 * polls `auth.me` (every open tab does) costs no database round trip each time. Changes made
 * through this process are seen at once (`forgetUserView`); those made elsewhere within the TTL.
 * Permission checks never use it: the admin procedures read the user row on every call.
 */
export function cachedUserView(db: Kysely<Database>, userId: string, now = Date.now()): Promise<UserView | undefined> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const hit = cache.get(userId);
  if (hit && hit.expiresAt > now) return hit.view;
  // Concurrent requests for the same user share one read.
  const view = findUserById(db, userId).then((user) => (user ? toUserView(user) : undefined));
  if (cache.size >= MAX_ENTRIES) cache.clear();
  const entry = { view, expiresAt: now + USER_VIEW_TTL_MS };
  cache.set(userId, entry);
  view.catch(() => {
    if (cache.get(userId) === entry) cache.delete(userId);
  });
  return view;
}

/** Drops the cached view after a change to the user, so this process's next read is fresh. */
export function forgetUserView(db: Kysely<Database>, userId: string): void {
  caches.get(db)?.delete(userId);
}
