import { promoteVerifiedUsers } from "@tidings/db";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { AuthDeps } from "./deps.ts";

/** Who made the change, in the audit trail: the configuration, read by a starting server. */
const startOrigin = { ip: "startup", userAgent: "tidings server (ADMIN_EMAILS)" };

/**
 * ADMIN_EMAILS for accounts verified before the setting named them (verification promotes the
 * others): each becomes an admin, with a `role_changed` event in the same transaction. Servers
 * starting together promote each account once: the update re-reads a row another has just changed.
 */
export function applyAdminEmails(deps: Pick<AuthDeps, "db" | "adminEmails">): Promise<{ id: string; email: string }[]> {
  return deps.db.transaction().execute(async (trx) => {
    const promoted = await promoteVerifiedUsers(trx, deps.adminEmails);
    for (const user of promoted) {
      await recordAuditEvent(trx, {
        type: "role_changed",
        userId: user.id,
        origin: startOrigin,
        metadata: { role: "admin", by: "ADMIN_EMAILS" },
      });
    }
    return promoted;
  });
}
