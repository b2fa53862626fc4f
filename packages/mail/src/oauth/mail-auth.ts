import type { OAuthClientConfig } from "@tidings/config";
import {
  type Database,
  failMailAccount,
  type Kysely,
  lockMailAccountCredentials,
  type MailAccountRow,
  updateMailAccountCredentials,
} from "@tidings/db";
import type { ImapFlowOptions } from "imapflow";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import * as oidc from "openid-client";
import { type ConnectionLimits, imapOptions, smtpOptions } from "../connection.ts";
import { openMailCredentials } from "../credentials.ts";
import { MailError } from "../errors.ts";
import { oauthConfiguration } from "./client.ts";
import { type MailOAuthClients, mailOAuthProviderNames } from "./providers.ts";
import { expiresAtFrom, type MailOAuthTokens, openMailOAuthTokens, sealMailOAuthTokens } from "./tokens.ts";

/** How IMAP or SMTP signs in: a password, or an OAuth2 access token (SASL XOAUTH2). */
export type MailAuth = { user: string; pass: string } | { user: string; accessToken: string };

/** Tokens this close to expiry are refreshed first, so a sync pass does not start on a dying token. */
export const MAIL_OAUTH_REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface ResolveMailAuthOptions {
  /** Which side's login (password accounts may have two passwords); default "imap". */
  side?: "imap" | "smtp";
  /**
   * Refresh even though the stored token has not expired: after the server refused it. The token
   * the server refused is passed so that one refreshed meanwhile by another process is used as is.
   */
  forceRefresh?: { refusedAccessToken: string };
}

type AccountForAuth = Pick<
  MailAccountRow,
  "id" | "user_id" | "email" | "auth_method" | "credentials_sealed" | "imap_username" | "smtp_username"
>;

/**
 * Fresh IMAP/SMTP login for an account, for the sync runner and the sender. OAuth2 tokens are
 * refreshed shortly before expiry (or when forced), and stored sealed again. A refresh token the
 * provider no longer honours (invalid_grant: revoked, expired, password changed) puts the account in
 * "error" (a paused one stays paused) with MAIL_AUTH_FAILED and a message to reconnect, and throws that MailError; a token
 * endpoint that cannot be reached throws MAIL_CONNECTION_FAILED and changes nothing (retry later).
 */
export async function resolveMailAuth(
  db: Kysely<Database>,
  encryptionKey: Buffer,
  account: AccountForAuth,
  oauthClients: MailOAuthClients,
  options: ResolveMailAuthOptions = {},
): Promise<MailAuth> {
  return (await resolveLogin(db, encryptionKey, account, oauthClients, options)).auth;
}

/** resolveMailAuth, also telling whether the token was issued just now (false: as stored). */
async function resolveLogin(
  db: Kysely<Database>,
  encryptionKey: Buffer,
  account: AccountForAuth,
  oauthClients: MailOAuthClients,
  options: ResolveMailAuthOptions,
): Promise<{ auth: MailAuth; refreshed: boolean }> {
  const owner = { userId: account.user_id, email: account.email };
  if (account.auth_method === "password") {
    const credentials = openMailCredentials(encryptionKey, owner, account.credentials_sealed);
    const auth =
      options.side === "smtp"
        ? { user: account.smtp_username, pass: credentials.smtpPassword }
        : { user: account.imap_username, pass: credentials.imapPassword };
    return { auth, refreshed: false };
  }
  const user = options.side === "smtp" ? account.smtp_username : account.imap_username;
  const stored = openMailOAuthTokens(encryptionKey, owner, account.credentials_sealed);
  if (!options.forceRefresh && !expiresSoon(stored)) {
    return { auth: { user, accessToken: stored.accessToken }, refreshed: false };
  }

  const outcome = await db.transaction().execute(async (trx) => {
    // Under the row lock, the tokens as they are now: another process may have refreshed them.
    const locked = await lockMailAccountCredentials(trx, account.id);
    if (!locked) throw new MailError("MAIL_AUTH_FAILED", "This mail account no longer exists.", "account-removed");
    const current = openMailOAuthTokens(encryptionKey, owner, locked.credentials_sealed);
    const refreshedElsewhere = options.forceRefresh
      ? current.accessToken !== options.forceRefresh.refusedAccessToken
      : !expiresSoon(current);
    if (refreshedElsewhere) return { ok: current, refreshed: false } as const;
    const refreshed = await refreshTokens(oauthClients[current.provider], current);
    if ("failed" in refreshed) return refreshed;
    await updateMailAccountCredentials(trx, account.id, sealMailOAuthTokens(encryptionKey, owner, refreshed.ok));
    return { ok: refreshed.ok, refreshed: true } as const;
  });
  if ("failed" in outcome) {
    // Outside the transaction, so the error status is kept although the caller gets an exception.
    // A paused account stays paused: the user stopped it, and resuming shows the error again.
    await failMailAccount(db, account.id, { code: outcome.failed.code, message: outcome.failed.message });
    throw outcome.failed;
  }
  return { auth: { user, accessToken: outcome.ok.accessToken }, refreshed: outcome.refreshed };
}

function expiresSoon(tokens: MailOAuthTokens, now = Date.now()): boolean {
  return tokens.expiresAt - now <= MAIL_OAUTH_REFRESH_MARGIN_MS;
}

/** The refreshed tokens, `failed` for a refusal the user must fix, or a throw to retry later. */
async function refreshTokens(
  client: OAuthClientConfig | undefined,
  current: MailOAuthTokens,
): Promise<{ ok: MailOAuthTokens } | { failed: MailError }> {
  const name = mailOAuthProviderNames[current.provider];
  if (!client) {
    return {
      failed: new MailError(
        "MAIL_AUTH_FAILED",
        `Signing in with ${name} is no longer set up on this server; connect the mailbox with an app password instead.`,
        "oauth-not-configured",
      ),
    };
  }
  if (!current.refreshToken) return { failed: reconnect(name, "oauth-no-refresh-token") };
  try {
    const configuration = await oauthConfiguration(client);
    const answer = await oidc.refreshTokenGrant(configuration, current.refreshToken);
    return {
      ok: {
        provider: current.provider,
        accessToken: answer.access_token,
        // Google keeps the refresh token; Microsoft rotates it.
        refreshToken: answer.refresh_token ?? current.refreshToken,
        expiresAt: expiresAtFrom(answer.expiresIn(), Date.now()),
      },
    };
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError && error.error === "invalid_grant") {
      return { failed: reconnect(name, "oauth-invalid-grant") };
    }
    throw new MailError(
      "MAIL_CONNECTION_FAILED",
      `${name} could not be reached to renew the mailbox's sign-in; it will be tried again.`,
      "oauth-token-endpoint",
    );
  }
}

function reconnect(providerName: string, reason: string): MailError {
  return new MailError(
    "MAIL_AUTH_FAILED",
    `${providerName} no longer accepts this mailbox's sign-in (access was revoked or expired). Reconnect the account with "Sign in with ${providerName}".`,
    reason,
  );
}

/** True for a login the server refused: imapflow, nodemailer (EAUTH) or our own MailError. */
export function isMailAuthFailure(error: unknown): boolean {
  if (error instanceof MailError) return error.code === "MAIL_AUTH_FAILED";
  if (typeof error !== "object" || error === null) return false;
  const fields = error as { authenticationFailed?: unknown; code?: unknown };
  return fields.authenticationFailed === true || fields.code === "EAUTH";
}

/**
 * Runs `work` with the account's login; when the server refuses an OAuth2 access token (revoked
 * early, clock skew), refreshes once and tries again. Password accounts are not retried: a second
 * wrong-password login only brings the user's real mailbox closer to a lockout.
 */
export async function withMailAuth<T>(
  db: Kysely<Database>,
  encryptionKey: Buffer,
  account: AccountForAuth,
  oauthClients: MailOAuthClients,
  side: "imap" | "smtp",
  work: (auth: MailAuth) => Promise<T>,
): Promise<T> {
  const auth = await resolveMailAuth(db, encryptionKey, account, oauthClients, { side });
  try {
    return await work(auth);
  } catch (error) {
    if (!("accessToken" in auth) || !isMailAuthFailure(error)) throw error;
    let refused = auth.accessToken;
    for (let attempt = 1; ; attempt += 1) {
      const fresh = await resolveLogin(db, encryptionKey, account, oauthClients, {
        side,
        forceRefresh: { refusedAccessToken: refused },
      });
      try {
        return await work(fresh.auth);
      } catch (again) {
        // `account` may be an older copy of the row (a runner's): the stored token found in its
        // place was not issued just now and may be dead too, so it earns one refresh of its own.
        if (fresh.refreshed || attempt > 1 || !("accessToken" in fresh.auth) || !isMailAuthFailure(again)) throw again;
        refused = fresh.auth.accessToken;
      }
    }
  }
}

/**
 * withMailAuth bound to one account: how work that opens connections again and again (the sync
 * runner's passes, the sender's SMTP and IMAP steps) signs in each time, with a token refreshed
 * when due. `account()` is read per call, so a runner's row that lease renewals update is used as
 * it is then (a refresh stored by another process is still found under the row lock).
 */
export type MailSignIn = <T>(side: "imap" | "smtp", work: (auth: MailAuth) => Promise<T>) => Promise<T>;

export function mailSignIn(
  db: Kysely<Database>,
  encryptionKey: Buffer,
  account: () => AccountForAuth,
  oauthClients: MailOAuthClients,
): MailSignIn {
  return (side, work) => withMailAuth(db, encryptionKey, account(), oauthClients, side, work);
}

/** No OAuth client configured: OAuth2 accounts then fail with "no longer set up" (a password account is unaffected). */
export const noMailOAuthClients: MailOAuthClients = { google: undefined, microsoft: undefined };

type ServerSide = Pick<
  MailAccountRow,
  "imap_host" | "imap_port" | "imap_security" | "smtp_host" | "smtp_port" | "smtp_security"
>;

/** imapflow options for the account with this login (XOAUTH2 when it carries an access token). */
export async function imapOptionsWithAuth(
  account: ServerSide,
  auth: MailAuth,
  limits: ConnectionLimits,
): Promise<ImapFlowOptions> {
  const settings = { host: account.imap_host, port: account.imap_port, security: account.imap_security };
  const options = await imapOptions({ ...settings, username: auth.user, password: "" }, limits);
  return { ...options, auth: "accessToken" in auth ? { user: auth.user, accessToken: auth.accessToken } : auth };
}

/** nodemailer options for the account with this login (`type: "OAuth2"` sends XOAUTH2). */
export async function smtpOptionsWithAuth(
  account: ServerSide,
  auth: MailAuth,
  limits: ConnectionLimits,
): Promise<SMTPTransport.Options> {
  const settings = { host: account.smtp_host, port: account.smtp_port, security: account.smtp_security };
  const options = await smtpOptions({ ...settings, username: auth.user, password: "" }, limits);
  return {
    ...options,
    auth: "accessToken" in auth ? { type: "OAuth2", user: auth.user, accessToken: auth.accessToken } : auth,
  };
}
