import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import {
  deletePasskey,
  type Executor,
  findMfaChallenge,
  findPasskeyByCredentialId,
  findUserById,
  findUserForSignIn,
  insertPasskey,
  insertWebauthnChallenge,
  listPasskeys,
  type PasskeyRow,
  recordPasskeyUse,
  type User,
  useWebauthnChallenge,
  type WebauthnChallengePurpose,
} from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";
import { hashToken } from "../opaque-token.ts";
import { recordAuditEvent } from "../record-audit-event.ts";
import type { Principal } from "./authenticate.ts";
import type { AuthDeps } from "./deps.ts";
import { AuthFailure, invalidCredentials } from "./failure.ts";
import { securityNotice } from "./security-notice.ts";
import { openSession } from "./sign-in.ts";
import { signedInUser } from "./step-up.ts";
import type { AuthResult } from "./views.ts";

/** How long a browser has to answer a passkey prompt (S34: challenges expire). */
export const PASSKEY_CHALLENGE_SECONDS = 5 * 60;

export type { AuthenticationResponseJSON, RegistrationResponseJSON };

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const toPasskeyView = (row: PasskeyRow): PasskeyView => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

/** One message for every refused passkey: a bad signature, a spent challenge or a foreign key alike. */
const invalidPasskey = () => new AuthFailure("MFA_INVALID", "That passkey could not be verified; try again");

const transportsOf = (row: PasskeyRow) => row.transports as AuthenticatorTransport[];

/**
 * The challenge the browser signed, read from its client data, so the stored challenge can be
 * looked up (and spent) before anything else is trusted; undefined when it is unreadable.
 */
function signedChallenge(clientDataJSON: string): string | undefined {
  try {
    const data: unknown = JSON.parse(isoBase64URL.toUTF8String(clientDataJSON));
    const challenge = (data as { challenge?: unknown }).challenge;
    return typeof challenge === "string" && challenge.length > 0 ? challenge : undefined;
  } catch {
    return undefined;
  }
}

export async function listUserPasskeys(db: Executor, userId: string): Promise<PasskeyView[]> {
  return (await listPasskeys(db, userId)).map(toPasskeyView);
}

async function tellOwner(
  deps: AuthDeps,
  db: Executor,
  user: User,
  change: "passkey_added" | "passkey_removed",
  origin: RequestOrigin,
) {
  // The key's name is the user's own text, so it stays out of the email (no content to spoof with).
  await deps.sendEmail(db, {
    template: "mfa-changed",
    to: user.email,
    data: { ...securityNotice(user, origin, new Date()), change },
  });
}

/**
 * Options for adding a passkey to the signed-in account. The challenge is stored bound to this
 * session (S34): a registration answered from another session is refused. Keys already
 * registered are excluded, and discoverable keys are asked for, so the passkey also signs in
 * without a password.
 */
export async function passkeyRegistrationOptions(
  deps: AuthDeps,
  principal: Principal,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const user = await signedInUser(deps, principal);
  const existing = await listPasskeys(deps.db, user.id);
  const options = await generateRegistrationOptions({
    rpName: deps.webauthn.rpName,
    rpID: deps.webauthn.rpId,
    userName: user.email,
    userDisplayName: user.display_name ?? user.email,
    // The user handle: the account id, so a passwordless answer names whose key it is.
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    timeout: PASSKEY_CHALLENGE_SECONDS * 1000,
    excludeCredentials: existing.map((row) => ({ id: row.credential_id, transports: transportsOf(row) })),
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  });
  await insertWebauthnChallenge(deps.db, {
    challenge: options.challenge,
    purpose: "register",
    userId: user.id,
    sessionId: principal.sessionId,
    lifetimeSeconds: PASSKEY_CHALLENGE_SECONDS,
  });
  return options;
}

/** Verifies the browser's answer to `passkeyRegistrationOptions` and stores the new key. */
export async function registerPasskey(
  deps: AuthDeps,
  principal: Principal,
  input: { name: string; response: RegistrationResponseJSON },
  origin: RequestOrigin,
): Promise<PasskeyView> {
  const user = await signedInUser(deps, principal);
  const challenge = signedChallenge(input.response.response.clientDataJSON);
  if (!challenge) throw invalidPasskey();
  // Spent first, whatever follows: a challenge is answered once, right or wrong (S34).
  const issued = await useWebauthnChallenge(deps.db, {
    challenge,
    purpose: "register",
    sessionId: principal.sessionId,
  });
  if (!issued || issued.userId !== user.id) throw invalidPasskey();

  const verification = await verifyRegistrationResponse({
    response: input.response,
    expectedChallenge: challenge,
    expectedOrigin: deps.webauthn.origin,
    expectedRPID: deps.webauthn.rpId,
    requireUserVerification: false,
  }).catch(() => undefined);
  if (!verification?.verified) throw invalidPasskey();
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;

  return deps.db.transaction().execute(async (trx) => {
    const row = await insertPasskey(trx, {
      userId: user.id,
      credentialId: credential.id,
      publicKey: isoBase64URL.fromBuffer(credential.publicKey),
      counter: credential.counter,
      transports: credential.transports ?? [],
      deviceType: credentialDeviceType,
      backedUp: credentialBackedUp,
      name: input.name,
    });
    if (!row) throw new AuthFailure("INVALID_INPUT", "This passkey is registered already", { field: "response" });
    await recordAuditEvent(trx, {
      type: "passkey_added",
      userId: user.id,
      origin,
      metadata: { passkeyId: row.id, name: row.name },
    });
    await tellOwner(deps, trx, user, "passkey_added", origin);
    return toPasskeyView(row);
  });
}

/** Removes one of the caller's passkeys; another account's id answers NOT_FOUND like an unknown one. */
export async function removePasskey(
  deps: AuthDeps,
  principal: Principal,
  input: { passkeyId: string },
  origin: RequestOrigin,
): Promise<{ status: "ok" }> {
  const user = await signedInUser(deps, principal);
  await deps.db.transaction().execute(async (trx) => {
    const row = await deletePasskey(trx, user.id, input.passkeyId);
    if (!row) throw new AuthFailure("NOT_FOUND", "No such passkey");
    await recordAuditEvent(trx, {
      type: "passkey_removed",
      userId: user.id,
      origin,
      metadata: { passkeyId: row.id, name: row.name },
    });
    await tellOwner(deps, trx, user, "passkey_removed", origin);
  });
  return { status: "ok" };
}

/**
 * Options for signing in with a passkey. Without an `mfaToken`: passwordless, for any
 * discoverable key, with user verification required (S34). With one: the second step of a
 * password sign-in, for that account's keys only, the challenge bound to that sign-in.
 */
export async function passkeySignInOptions(
  deps: AuthDeps,
  input: { mfaToken?: string | undefined },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  if (input.mfaToken === undefined) {
    const options = await generateAuthenticationOptions({
      rpID: deps.webauthn.rpId,
      userVerification: "required",
      timeout: PASSKEY_CHALLENGE_SECONDS * 1000,
    });
    await insertWebauthnChallenge(deps.db, {
      challenge: options.challenge,
      purpose: "passwordless",
      lifetimeSeconds: PASSKEY_CHALLENGE_SECONDS,
    });
    return options;
  }
  const signIn = await findMfaChallenge(deps.db, hashToken(input.mfaToken));
  if (!signIn || signIn.used) throw new AuthFailure("TOKEN_INVALID", "Sign in again");
  if (signIn.expired) throw new AuthFailure("TOKEN_EXPIRED", "This sign-in took too long; sign in again");
  const keys = await listPasskeys(deps.db, signIn.userId);
  if (keys.length === 0) throw invalidPasskey();
  const options = await generateAuthenticationOptions({
    rpID: deps.webauthn.rpId,
    userVerification: "preferred",
    timeout: PASSKEY_CHALLENGE_SECONDS * 1000,
    allowCredentials: keys.map((row) => ({ id: row.credential_id, transports: transportsOf(row) })),
  });
  await insertWebauthnChallenge(deps.db, {
    challenge: options.challenge,
    purpose: "second_factor",
    userId: signIn.userId,
    mfaChallengeId: signIn.id,
    lifetimeSeconds: PASSKEY_CHALLENGE_SECONDS,
  });
  return options;
}

/**
 * Checks and spends one passkey assertion: its challenge (of this purpose and binding, once),
 * the key (the expected user's, when one is expected), signature, origin, RP ID, user
 * verification when asked, and the signature counter, which must grow (S34). Returns the key
 * used, or undefined for any refusal. Run it in the transaction of what it unlocks.
 */
export async function spendPasskeyAssertion(
  deps: Pick<AuthDeps, "webauthn">,
  db: Executor,
  use: {
    response: AuthenticationResponseJSON;
    purpose: Exclude<WebauthnChallengePurpose, "register">;
    userId?: string | undefined;
    mfaChallengeId?: string | undefined;
    requireUserVerification: boolean;
  },
): Promise<PasskeyRow | undefined> {
  const challenge = signedChallenge(use.response.response.clientDataJSON);
  if (!challenge) return undefined;
  const issued = await useWebauthnChallenge(db, {
    challenge,
    purpose: use.purpose,
    mfaChallengeId: use.mfaChallengeId,
  });
  if (!issued || issued.userId !== (use.userId ?? null)) return undefined;

  const key = await findPasskeyByCredentialId(db, use.response.id);
  if (!key || (use.userId !== undefined && key.user_id !== use.userId)) return undefined;
  // A discoverable key names its account; it must be the one that holds the key.
  const handle = use.response.response.userHandle;
  if (handle !== undefined && isoBase64URL.toUTF8String(handle) !== key.user_id) return undefined;

  const verification = await verifyAuthenticationResponse({
    response: use.response,
    expectedChallenge: challenge,
    expectedOrigin: deps.webauthn.origin,
    expectedRPID: deps.webauthn.rpId,
    credential: {
      id: key.credential_id,
      publicKey: isoBase64URL.toBuffer(key.public_key),
      counter: Number(key.counter),
      transports: transportsOf(key),
    },
    requireUserVerification: use.requireUserVerification,
  }).catch(() => undefined);
  if (!verification?.verified) return undefined;
  const used = await recordPasskeyUse(db, {
    id: key.id,
    previousCounter: key.counter,
    counter: verification.authenticationInfo.newCounter,
    backedUp: verification.authenticationInfo.credentialBackedUp,
  });
  return used ? key : undefined;
}

/**
 * Passwordless sign-in with a discoverable passkey. The key proves possession and (with user
 * verification) the person, so no second factor follows. A locked or disabled account answers
 * like a wrong password (S8).
 */
export async function passkeyLogin(
  deps: AuthDeps,
  input: { response: AuthenticationResponseJSON },
  origin: RequestOrigin,
): Promise<AuthResult> {
  type Outcome =
    | { result: AuthResult }
    | { failed: "passkey" | "unverified"; userId: string | null }
    | { failed: "locked" | "disabled"; userId: string };
  const outcome = await deps.db.transaction().execute(async (trx): Promise<Outcome> => {
    const key = await spendPasskeyAssertion(deps, trx, {
      response: input.response,
      purpose: "passwordless",
      requireUserVerification: true,
    });
    if (!key) return { failed: "passkey", userId: null };
    const user = await findUserById(trx, key.user_id);
    if (!user) return { failed: "passkey", userId: null };
    if (user.locked_at || user.disabled_at)
      return { failed: user.disabled_at ? "disabled" : "locked", userId: user.id };
    if (deps.requireVerifiedEmail && !user.email_verified_at) return { failed: "unverified", userId: user.id };
    const candidate = await findUserForSignIn(trx, user.email_normalized, origin.userAgent ?? "");
    const result = await openSession(deps, trx, user.id, origin, "passkey");
    if (candidate?.priorSessions.any && !candidate.priorSessions.sameUserAgent) {
      await deps.sendEmail(trx, {
        template: "new-sign-in",
        to: user.email,
        data: securityNotice(user, origin, result.session.createdAt),
      });
    }
    return { result };
  });
  if ("result" in outcome) {
    deps.observer?.signIn?.("success");
    return outcome.result;
  }
  if (outcome.failed === "unverified") {
    deps.observer?.signIn?.("email_not_verified");
    throw new AuthFailure("EMAIL_NOT_VERIFIED", "Verify your email address to sign in");
  }
  await recordAuditEvent(deps.db, {
    type: "login_failed",
    userId: outcome.userId,
    origin,
    metadata: { reason: outcome.failed },
  });
  if (outcome.failed === "passkey") {
    deps.observer?.signIn?.("invalid_credentials");
    throw invalidPasskey();
  }
  deps.observer?.signIn?.(outcome.failed);
  throw invalidCredentials();
}
