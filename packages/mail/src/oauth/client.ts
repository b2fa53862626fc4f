import type { OAuthClientConfig } from "@tidings/config";
import * as oidc from "openid-client";

const discovered = new Map<string, Promise<oidc.Configuration>>();
/** Per request to the authorization server; a refresh holds the account's row lock meanwhile. */
const TIMEOUT_SECONDS = 10;

/**
 * The openid-client configuration for one OAuth client. The providers' own servers are read by
 * OpenID discovery (cached per process), which is also how Microsoft's per-tenant ID-token issuer
 * is checked; an operator's override (a private authorization server, the tests' local one) names
 * its endpoints and issuer itself; http is allowed there because the operator chose it (the tests
 * run one on loopback).
 */
export function oauthConfiguration(client: OAuthClientConfig): Promise<oidc.Configuration> {
  const secret = client.clientSecret?.reveal();
  if (client.discovery) {
    const key = `${client.issuer}\n${client.clientId}\n${secret ?? ""}`;
    let pending = discovered.get(key);
    if (!pending) {
      pending = oidc
        .discovery(new URL(client.issuer), client.clientId, secret, undefined, { timeout: TIMEOUT_SECONDS })
        .then((configuration) => {
          configuration.timeout = TIMEOUT_SECONDS;
          return configuration;
        });
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
  configuration.timeout = TIMEOUT_SECONDS;
  if (new URL(client.endpoints.token).protocol === "http:") oidc.allowInsecureRequests(configuration);
  return Promise.resolve(configuration);
}
