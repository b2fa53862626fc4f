import { deleteUserAccount, revokeUserSessions } from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { Principal } from "./authenticate.ts";
import type { AuthDeps } from "./deps.ts";
import { announceEndedSessions } from "./ended-sessions.ts";
import { requirePassword, requireSecondFactorIfOn, signedInUser } from "./step-up.ts";

/**
 * Deletes the caller's account (S35: password, and a second factor when on): every session ends
 * at once in every process (the revocation list), and the account's rows are gone, so the address
 * can register again. What remains is one `account_deleted` event naming only the old id.
 */
export async function deleteAccount(
  deps: AuthDeps,
  principal: Principal,
  input: { password: string; code?: string | undefined },
  origin: RequestOrigin,
  now: Date = new Date(),
): Promise<{ status: "ok" }> {
  const user = await signedInUser(deps, principal);
  await requirePassword(user, input.password);
  const ended = await deps.db.transaction().execute(async (trx) => {
    await requireSecondFactorIfOn(deps, trx, user.id, input.code, now);
    // Marked revoked before the rows go, so the ids can be announced to every process.
    const sessionIds = await revokeUserSessions(trx, user.id, "account_deleted");
    await deleteUserAccount(trx, user.id);
    await recordAuditEvent(trx, {
      type: "account_deleted",
      userId: null,
      origin,
      metadata: { deletedUserId: user.id },
    });
    return sessionIds;
  });
  await announceEndedSessions(deps, [...ended, principal.sessionId]);
  return { status: "ok" };
}
