import type { OAuthClientConfig } from "@tidings/config";
import * as oidc from "openid-client";

const discovered = new Map<string, Promise<oidc.Configuration>>();

/**
 * The openid-client configuration for one OAuth client. The providers' own servers are read by
 * OpenID discovery (cached per process), which is also how Microsoft's per-tenant ID-token issuer
 * is checked; an operator's override (a private authorization server, the tests' local one) names
 * its endpoints and issuer itself, and may be plain http only on loopback-style test setups.
 */
export function oauthConfiguration(client: OAuthClientConfig): Promise<oidc.Configuration> {
  const secret = client.clientSecret?.reveal();
  if (client.discovery) {
    const key = `${client.issuer}\n${client.clientId}\n${secret ?? ""}`;
    let pending = discovered.get(key);
    if (!pending) {
      pending = oidc.discovery(new URL(client.issuer), client.clientId, secret);
      discovered.set(key, pending);
      // A failed discovery (network down) is tried again on the next call, not remembered.
      pending.catch(() => discovered.delete(key));
    }
    return pending;
  }
  const configuration = new oidc.Configuration(
    {
      issuer: client.issuer,
      authorization_endpoint: client.endpoints.authorize,
      token_endpoint: client.endpoints.token,
      ...(client.endpoints.revoke ? { revocation_endpoint: client.endpoints.revoke } : {}),
    },
    client.clientId,
    secret,
  );
  if (new URL(client.endpoints.token).protocol === "http:") oidc.allowInsecureRequests(configuration);
  return Promise.resolve(configuration);
}
