import { type Executor, findUserById, type User } from "@tidings/db";
import { verifyPassword } from "../password/index.ts";
import type { Principal } from "./authenticate.ts";
import type { AuthDeps } from "./deps.ts";
import { AuthFailure, invalidSecondFactor } from "./failure.ts";
import { spendSecondFactor, totpEnabled } from "./second-factor.ts";

/** The signed-in user's row; a deleted or disabled account has no business here. */
export async function signedInUser(deps: Pick<AuthDeps, "db">, principal: Principal): Promise<User> {
  const user = await findUserById(deps.db, principal.userId);
  if (!user || user.disabled_at) throw new AuthFailure("TOKEN_INVALID", "Sign in again");
  return user;
}

/** S35: a change that weakens the account needs the password, whoever holds the session. */
export async function requirePassword(user: User, password: string): Promise<void> {
  if (!user.password_hash || !(await verifyPassword(user.password_hash, password))) {
    throw new AuthFailure("INVALID_CREDENTIALS", "The password is not right", { field: "password" });
  }
}

/**
 * S35: with two-factor on, such a change also needs a current code (or a recovery code), spent
 * in the transaction of the change. Without two-factor there is nothing to ask.
 */
export async function requireSecondFactorIfOn(
  deps: Pick<AuthDeps, "sessions">,
  db: Executor,
  userId: string,
  code: string | undefined,
  now: Date,
): Promise<void> {
  if (!(await totpEnabled(db, userId))) return;
  if (!code) {
    throw new AuthFailure("MFA_REQUIRED", "Enter a code from your authenticator app, or a recovery code", {
      field: "code",
    });
  }
  const factor = /^\s*\d{6}\s*$/.test(code) ? { code } : { recoveryCode: code };
  if (!(await spendSecondFactor(db, deps.sessions.encryptionKey, userId, factor, now))) throw invalidSecondFactor();
}
