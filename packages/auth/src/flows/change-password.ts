import { findUserById, setPasswordHash } from "@tidings/db";
import { type RequestOrigin, recordAuditEvent } from "../audit.ts";
import { checkPasswordPolicy, hashPassword, verifyPassword } from "../password/index.ts";
import { revokeUserSessions } from "../sessions.ts";
import type { Principal } from "./authenticate.ts";
import type { AuthDeps } from "./deps.ts";
import { AuthFailure } from "./failure.ts";

/** Needs the current password (S4); ends the other sessions unless asked not to, and tells the owner. */
export async function changePassword(
  deps: AuthDeps,
  principal: Principal,
  input: { currentPassword: string; newPassword: string; revokeOtherSessions: boolean },
  origin: RequestOrigin,
): Promise<{ status: "ok" }> {
  const user = await findUserById(deps.db, principal.userId);
  if (!user?.password_hash || !(await verifyPassword(user.password_hash, input.currentPassword))) {
    throw new AuthFailure("INVALID_CREDENTIALS", "The current password is not right", { field: "currentPassword" });
  }
  const policy = await checkPasswordPolicy(
    input.newPassword,
    { email: user.email, displayName: user.display_name },
    { hibp: { enabled: deps.hibpEnabled } },
  );
  if (!policy.ok) throw new AuthFailure("WEAK_PASSWORD", "Choose a stronger password", { reasons: policy.reasons });
  const passwordHash = await hashPassword(input.newPassword);

  const ended = await deps.db.transaction().execute(async (trx) => {
    await setPasswordHash(trx, user.id, passwordHash);
    const revoked = input.revokeOtherSessions
      ? await revokeUserSessions(trx, user.id, "password_changed", principal.sessionId)
      : [];
    await recordAuditEvent(trx, {
      type: "password_changed",
      userId: user.id,
      origin,
      metadata: { sessionsEnded: revoked.length },
    });
    await deps.sendEmail(trx, {
      template: "password-changed",
      to: user.email,
      data: {
        displayName: user.display_name,
        at: new Date().toISOString(),
        ip: origin.ip,
        userAgent: origin.userAgent || "unknown",
      },
    });
    return revoked;
  });
  await deps.revocation.revoke(ended, deps.tokens.ttlSeconds);
  return { status: "ok" };
}
