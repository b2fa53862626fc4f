import { sessionsRevokedWithin } from "@tidings/db";
import { CLOCK_TOLERANCE_SECONDS } from "../jwt/index.ts";
import type { AuthDeps } from "./deps.ts";

/**
 * Puts sessions just ended in the database on the revocation list every process reads (S14).
 * An entry must outlive the session's last access token, which verification still accepts for
 * the clock tolerance after its `exp`.
 */
export function announceEndedSessions(
  deps: Pick<AuthDeps, "revocation" | "tokens">,
  sessionIds: readonly string[],
): Promise<void> {
  return deps.revocation.revoke(sessionIds, deps.tokens.ttlSeconds + CLOCK_TOLERANCE_SECONDS);
}

// One Redis transaction (and one published message) per this many sessions.
const RESTORE_BATCH = 500;

/**
 * Announces again every session ended recently enough that one of its access tokens may still be
 * accepted, for a process that has just started: the list lives in Redis, which may have restarted
 * empty (nothing kept on disk), and in each process's memory (all of it in embedded mode), which a
 * restart empties; the sessions table is the record. Run at start, before serving. Resolves once the sessions are read and every
 * announcement is sent: a Redis that is down delays them, not the start, and they stay queued
 * ahead of every revocation check made afterwards on the same connection. `announced` settles
 * when Redis has taken them all.
 */
export async function restoreEndedSessions(
  deps: Pick<AuthDeps, "db" | "revocation" | "tokens">,
): Promise<{ sessions: number; announced: Promise<void> }> {
  const ids = await sessionsRevokedWithin(deps.db, deps.tokens.ttlSeconds + CLOCK_TOLERANCE_SECONDS);
  const batches: Promise<void>[] = [];
  for (let start = 0; start < ids.length; start += RESTORE_BATCH) {
    batches.push(announceEndedSessions(deps, ids.slice(start, start + RESTORE_BATCH)));
  }
  return { sessions: ids.length, announced: Promise.all(batches).then(() => undefined) };
}
