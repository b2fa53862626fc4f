import type { OAuthClientConfig } from "@tidings/config";
import { MailError } from "../errors.ts";
import { type ProviderPreset, providerPresets, type ServerEndpoint } from "../presets.ts";

export type MailOAuthProvider = "google" | "microsoft";

/** Configured OAuth clients, as `config.mail.oauth` holds them. */
export type MailOAuthClients = Record<MailOAuthProvider, OAuthClientConfig | undefined>;

export const mailOAuthProviderNames: Record<MailOAuthProvider, string> = {
  google: "Google",
  microsoft: "Microsoft",
};

/**
 * What each provider must grant for IMAP and SMTP with XOAUTH2, plus the ID token's email (which
 * becomes the login name). offline_access / access_type=offline ask for a refresh token.
 */
export const mailOAuthScopes: Record<MailOAuthProvider, string> = {
  google: "https://mail.google.com/ openid email",
  microsoft:
    "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access openid email",
};

/** Extra authorization parameters: Google hands out a refresh token only with these. */
export const mailOAuthExtraParameters: Record<MailOAuthProvider, Record<string, string>> = {
  google: { access_type: "offline", prompt: "consent" },
  microsoft: { prompt: "select_account" },
};

/** The preset whose IMAP/SMTP servers an account connected through this provider uses. */
export function presetForOAuthProvider(provider: MailOAuthProvider): ProviderPreset {
  const preset = providerPresets.find((candidate) => candidate.oauth === provider);
  if (!preset) throw new Error(`no preset uses OAuth provider ${provider}`);
  return preset;
}

/** The preset's servers, unless the operator's endpoints override names others (documented in docs/mail.md). */
export function oauthMailServers(
  provider: MailOAuthProvider,
  client: OAuthClientConfig,
): { presetId: string; imap: ServerEndpoint; smtp: ServerEndpoint } {
  const preset = presetForOAuthProvider(provider);
  return {
    presetId: preset.id,
    imap: client.servers?.imap ?? preset.imap,
    smtp: client.servers?.smtp ?? preset.smtp,
  };
}

/** The provider's configured client, or a MailError naming the provider and the alternative. */
export function requireOAuthClient(clients: MailOAuthClients, provider: MailOAuthProvider): OAuthClientConfig {
  const client = clients[provider];
  if (!client) {
    throw new MailError(
      "MAIL_AUTH_FAILED",
      `Signing in with ${mailOAuthProviderNames[provider]} is not set up on this server; connect the mailbox with an app password instead.`,
      "oauth-not-configured",
    );
  }
  return client;
}
