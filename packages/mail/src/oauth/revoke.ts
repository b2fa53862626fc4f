import type { MailAccountRow } from "@tidings/db";
import * as oidc from "openid-client";
import { oauthConfiguration } from "./client.ts";
import type { MailOAuthClients } from "./providers.ts";
import { openMailOAuthTokens } from "./tokens.ts";

/**
 * Withdraws Tidings' access at the provider when an OAuth2 account is removed: the refresh token
 * (which ends the whole grant at Google) or else the access token, at the revocation endpoint.
 * Microsoft has none ("unsupported"); its tokens simply stop being used. Best effort: the account
 * is gone either way, so a failure is answered, not thrown.
 */
export async function revokeMailOAuth(
  encryptionKey: Buffer,
  account: Pick<MailAccountRow, "user_id" | "email" | "auth_method" | "credentials_sealed">,
  clients: MailOAuthClients,
): Promise<"revoked" | "unsupported" | "failed"> {
  if (account.auth_method !== "oauth2") return "unsupported";
  try {
    const tokens = openMailOAuthTokens(
      encryptionKey,
      { userId: account.user_id, email: account.email },
      account.credentials_sealed,
    );
    const client = clients[tokens.provider];
    if (!client) return "unsupported";
    const configuration = await oauthConfiguration(client);
    if (!configuration.serverMetadata().revocation_endpoint) return "unsupported";
    const [token, hint] = tokens.refreshToken
      ? [tokens.refreshToken, "refresh_token"]
      : [tokens.accessToken, "access_token"];
    await oidc.tokenRevocation(configuration, token, { token_type_hint: hint });
    return "revoked";
  } catch {
    return "failed";
  }
}
