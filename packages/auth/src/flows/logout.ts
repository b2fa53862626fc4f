import { revokeSession } from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { Principal } from "./authenticate.ts";
import type { AuthDeps } from "./deps.ts";
import { announceEndedSessions } from "./ended-sessions.ts";

/** Ends the caller's session: in the database, and on the revocation list every process reads. */
export async function logout(deps: AuthDeps, principal: Principal, origin: RequestOrigin): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const ended = await revokeSession(trx, principal.sessionId, "logout", principal.userId);
    if (ended) {
      await recordAuditEvent(trx, {
        type: "logout",
        userId: principal.userId,
        origin,
        metadata: { sessionId: ended.id },
      });
    }
  });
  await announceEndedSessions(deps, [principal.sessionId]);
  deps.observer?.logout?.();
}
