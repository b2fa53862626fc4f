import { createHash } from "node:crypto";
import { openSecret, sealSecret } from "@tidings/auth";
import { type Executor, insertMailOAuthState, takeMailOAuthState, upsertOAuthMailAccount } from "@tidings/db";
import * as oidc from "openid-client";
import { MailError } from "../errors.ts";
import { oauthConfiguration } from "./client.ts";
import {
  type MailOAuthClients,
  type MailOAuthProvider,
  mailOAuthExtraParameters,
  mailOAuthProviderNames,
  mailOAuthScopes,
  oauthMailServers,
  requireOAuthClient,
} from "./providers.ts";
import { expiresAtFrom, sealMailOAuthTokens } from "./tokens.ts";

/** How long the user has to finish signing in with the provider. */
export const MAIL_OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

/** The path of the callback route; the redirect URI registered with the providers is APP_URL + this. */
export const MAIL_OAUTH_CALLBACK_PATH = "/oauth/mail/callback";

export interface MailOAuthDeps {
  db: Executor;
  encryptionKey: Buffer;
  clients: MailOAuthClients;
  appUrl: string;
}

/**
 * Why connecting failed, as a short word for the app's `?error=` (no provider text, no token):
 * invalid_state (unknown, used or expired), denied (the user or provider refused),
 * not_configured, exchange_failed (the token endpoint refused the code), no_email, unavailable
 * (something on our side failed; the route logs it).
 */
export type MailOAuthFailure =
  | "invalid_state"
  | "denied"
  | "not_configured"
  | "exchange_failed"
  | "no_email"
  | "unavailable";

export class MailOAuthError extends Error {
  constructor(
    readonly failure: MailOAuthFailure,
    message: string,
  ) {
    super(message);
    this.name = "MailOAuthError";
  }
}

export function mailOAuthRedirectUri(appUrl: string): string {
  return new URL(MAIL_OAUTH_CALLBACK_PATH, appUrl).href;
}

function hashState(state: string): string {
  return createHash("sha256").update(state).digest("hex");
}

/**
 * Starts authorization code + PKCE (S256): a random state bound to the user, stored (hashed) with
 * the sealed code verifier for ten minutes, and the provider's authorization URL to send the
 * browser to. Throws MailError: MAIL_AUTH_FAILED (oauth-not-configured) when the provider has no
 * client here, MAIL_CONNECTION_FAILED (oauth-unreachable) when its discovery document cannot be read.
 */
export async function startMailOAuth(
  deps: MailOAuthDeps,
  input: { userId: string; provider: MailOAuthProvider },
): Promise<{ authorizeUrl: string }> {
  const client = requireOAuthClient(deps.clients, input.provider);
  const configuration = await oauthConfiguration(client).catch(() => {
    throw new MailError(
      "MAIL_CONNECTION_FAILED",
      `${mailOAuthProviderNames[input.provider]} could not be reached to start signing in; try again in a moment.`,
      "oauth-unreachable",
    );
  });
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const codeChallenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
  const state = oidc.randomState();
  const stateHash = hashState(state);
  await insertMailOAuthState(deps.db, {
    stateHash,
    userId: input.userId,
    provider: input.provider,
    codeVerifierSealed: sealSecret(deps.encryptionKey, codeVerifier, `mail-oauth-state:${stateHash}`),
    expiresAt: new Date(Date.now() + MAIL_OAUTH_STATE_TTL_MS),
  });
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: mailOAuthRedirectUri(deps.appUrl),
    response_type: "code",
    scope: mailOAuthScopes[input.provider],
    state,
    code_challenge: codeChallenge,
    code_challenge_method: "S256",
    ...mailOAuthExtraParameters[input.provider],
  });
  return { authorizeUrl: url.href };
}

/**
 * Completes the callback: takes the pending request (once), exchanges the code with the verifier,
 * reads the address from the ID token, and creates the account (or reconnects the user's account
 * for that address) with the provider's servers, tokens sealed, status "connecting" for the sync
 * worker. `query` is the callback's query string as received.
 */
export async function completeMailOAuth(
  deps: MailOAuthDeps,
  query: URLSearchParams,
): Promise<{ accountId: string; userId: string; email: string }> {
  const state = query.get("state");
  const pending = state ? await takeMailOAuthState(deps.db, hashState(state)) : undefined;
  if (!state || !pending) {
    throw new MailOAuthError("invalid_state", "The sign-in request is unknown, already used or expired; start again.");
  }
  if (query.has("error")) {
    throw new MailOAuthError("denied", "The provider did not grant access to the mailbox.");
  }
  const client = deps.clients[pending.provider];
  if (!client) throw new MailOAuthError("not_configured", "This provider is no longer set up on this server.");
  const configuration = await oauthConfiguration(client);
  const codeVerifier = openSecret(
    deps.encryptionKey,
    pending.code_verifier_sealed,
    `mail-oauth-state:${pending.state_hash}`,
  );

  // The redirect URI sent to the token endpoint is taken from this URL, so it is rebuilt from
  // APP_URL (what the authorization request named), never from the request's Host header.
  const callbackUrl = new URL(mailOAuthRedirectUri(deps.appUrl));
  for (const [name, value] of query) callbackUrl.searchParams.append(name, value);
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      idTokenExpected: true,
    });
  } catch {
    // The provider's reasons stay out of the redirect; the user can only start again.
    throw new MailOAuthError("exchange_failed", "The provider did not accept the sign-in; start again.");
  }
  const claims = tokens.claims();
  const address = typeof claims?.email === "string" ? claims.email : claims?.preferred_username;
  if (typeof address !== "string" || !address.includes("@") || claims?.email_verified === false) {
    throw new MailOAuthError("no_email", "The provider did not tell a verified email address for this mailbox.");
  }
  const email = address.trim().toLowerCase();
  const servers = oauthMailServers(pending.provider, client);
  const owner = { userId: pending.user_id, email };
  const account = await upsertOAuthMailAccount(deps.db, {
    userId: pending.user_id,
    email,
    provider: servers.presetId,
    oauthProvider: pending.provider,
    imap: { ...servers.imap, username: email },
    smtp: { ...servers.smtp, username: email },
    credentialsSealed: sealMailOAuthTokens(deps.encryptionKey, owner, {
      provider: pending.provider,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: expiresAtFrom(tokens.expiresIn(), Date.now()),
    }),
  });
  return { accountId: account.id, userId: account.user_id, email };
}

/** Where the browser goes after the callback: the app's mail settings, saying what happened. */
export function mailOAuthAppRedirect(
  appUrl: string,
  outcome: { accountId: string } | { failure: MailOAuthFailure },
): string {
  const url = new URL("/settings/mail", appUrl);
  if ("accountId" in outcome) url.searchParams.set("connected", outcome.accountId);
  else url.searchParams.set("error", outcome.failure);
  return url.href;
}
