import { type Executor, revokeUserSessions, setPasswordHash, type User } from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { AuthDeps } from "./deps.ts";
import { securityNotice } from "./security-notice.ts";

/**
 * Stores a new password hash, ends the sessions it should (all but `keepSessionId`, or none), records
 * the event and emails the owner, all in the caller's transaction. Resolves with the ended session
 * ids, which the caller puts on the revocation list once the transaction has committed.
 */
export async function replacePassword(
  deps: AuthDeps,
  trx: Executor,
  change: {
    user: User;
    passwordHash: string;
    event: "password_changed" | "password_reset";
    endSessions: boolean;
    keepSessionId?: string;
    origin: RequestOrigin;
  },
): Promise<string[]> {
  const { user, origin } = change;
  await setPasswordHash(trx, user.id, change.passwordHash);
  const ended = change.endSessions ? await revokeUserSessions(trx, user.id, change.event, change.keepSessionId) : [];
  await recordAuditEvent(trx, {
    type: change.event,
    userId: user.id,
    origin,
    metadata: { sessionsEnded: ended.length },
  });
  await deps.sendEmail(trx, { template: "password-changed", to: user.email, data: securityNotice(user, origin) });
  return ended;
}
