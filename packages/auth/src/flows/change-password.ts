import { findUserById } from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { checkPasswordPolicy, hashPassword, verifyPassword } from "../password/index.ts";
import type { Principal } from "./authenticate.ts";
import type { AuthDeps } from "./deps.ts";
import { announceEndedSessions } from "./ended-sessions.ts";
import { AuthFailure } from "./failure.ts";
import { replacePassword } from "./replace-password.ts";

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

  const ended = await deps.db.transaction().execute((trx) =>
    replacePassword(deps, trx, {
      user,
      passwordHash,
      event: "password_changed",
      endSessions: input.revokeOtherSessions,
      keepSessionId: principal.sessionId,
      origin,
    }),
  );
  await announceEndedSessions(deps, ended);
  return { status: "ok" };
}
