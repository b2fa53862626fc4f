import { openSecret, sealSecret } from "@tidings/auth";
import type { MailOAuthProvider } from "./providers.ts";

/** An OAuth2 account's secrets; stored only sealed (S23), in the account's credentials_sealed. */
export interface MailOAuthTokens {
  provider: MailOAuthProvider;
  accessToken: string;
  /** Absent when the provider gave none; the account then needs reconnecting once the access token expires. */
  refreshToken: string | undefined;
  /** When the access token stops working (ms since the epoch). */
  expiresAt: number;
}

/** Bound to the user and the address like password credentials, under a prefix of its own. */
function context(userId: string, email: string): string {
  return `mail-account-oauth:${userId}:${email.toLowerCase()}`;
}

export function sealMailOAuthTokens(
  key: Buffer,
  owner: { userId: string; email: string },
  tokens: MailOAuthTokens,
): string {
  return sealSecret(key, JSON.stringify(tokens), context(owner.userId, owner.email));
}

export function openMailOAuthTokens(
  key: Buffer,
  owner: { userId: string; email: string },
  sealed: string,
): MailOAuthTokens {
  const opened = JSON.parse(openSecret(key, sealed, context(owner.userId, owner.email))) as Partial<MailOAuthTokens>;
  if (
    (opened.provider !== "google" && opened.provider !== "microsoft") ||
    typeof opened.accessToken !== "string" ||
    typeof opened.expiresAt !== "number" ||
    (opened.refreshToken !== undefined && typeof opened.refreshToken !== "string")
  ) {
    throw new Error("sealed OAuth tokens are incomplete");
  }
  return {
    provider: opened.provider,
    accessToken: opened.accessToken,
    refreshToken: opened.refreshToken,
    expiresAt: opened.expiresAt,
  };
}

/** Without expires_in the token is assumed to last the usual hour. */
export function expiresAtFrom(expiresInSeconds: number | undefined, now: number): number {
  return now + (expiresInSeconds ?? 3600) * 1000;
}
