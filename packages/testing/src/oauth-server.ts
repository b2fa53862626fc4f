import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Events, OAuth2Server } from "oauth2-mock-server";
import { freePort } from "./ports.ts";

export interface TestOAuthServer {
  /** `http://127.0.0.1:<port>`, the `iss` of its ID tokens. */
  issuer: string;
  /** As MAIL_OAUTH_*_ENDPOINTS takes them (add imap/smtp to point at the test servers). */
  endpoints: { authorize: string; token: string; revoke: string; issuer: string };
  /** Token introspection for Dovecot's oauth2 passdb: GET with `Authorization: Bearer <token>`. */
  introspectionUrl: string;
  /** The mailbox the next authorization signs in as (the server approves without asking). */
  signInAs(email: string): void;
  /** Lifetime of the access tokens issued from now on (default 3600 s). */
  setAccessTokenLifetime(seconds: number): void;
  /** Every access token issued so far stops working now, as if its hour had passed. */
  expireAccessTokens(): void;
  /** The user withdraws the app's access: refresh tokens answer invalid_grant, access tokens die. */
  revokeAccess(email: string): void;
  /** The mailboxes whose access was revoked through the revocation endpoint, in order. */
  revocations(): string[];
  /** Token requests answered so far, by grant type (what the client asked for, not whether it got it). */
  tokenRequests(): { grantType: string; ok: boolean }[];
  close(): Promise<void>;
}

interface IssuedToken {
  email: string;
  expiresAt: number;
}

/**
 * oauth2-mock-server on a free loopback port, with what a mail provider's authorization server
 * does beyond it: issued tokens are remembered per mailbox (email claim in the ID and access
 * tokens), codes are single use and require the PKCE verifier when a challenge was sent, access
 * tokens expire, refresh tokens can be revoked (invalid_grant), and an introspection answer says
 * whether an access token is active and whose it is.
 */
export async function startOAuthServer(): Promise<TestOAuthServer> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  server.issuer.url = issuer;

  let signedIn = "alice@tidings.test";
  let lifetimeSeconds = 3600;
  const codes = new Map<string, { email: string; pkce: boolean }>();
  const accessTokens = new Map<string, IssuedToken>();
  const refreshTokens = new Map<string, { email: string; revoked: boolean }>();
  const requests: { grantType: string; ok: boolean }[] = [];

  const service = server.service;
  service.on(Events.BeforeAuthorizeRedirect, (redirect: { url: URL }, req: IncomingMessage) => {
    const code = redirect.url.searchParams.get("code");
    const challenge = new URL(req.url ?? "/", issuer).searchParams.get("code_challenge");
    if (code) codes.set(code, { email: signedIn, pkce: Boolean(challenge) });
  });

  // Which mailbox a token request is for: the code's, or the refresh token's.
  const emailFor = (body: Record<string, unknown>): string | undefined => {
    if (body.grant_type === "authorization_code" && typeof body.code === "string") return codes.get(body.code)?.email;
    if (body.grant_type === "refresh_token" && typeof body.refresh_token === "string") {
      return refreshTokens.get(body.refresh_token)?.email;
    }
    return undefined;
  };

  service.on(
    Events.BeforeTokenSigning,
    (token: { payload: Record<string, unknown> }, req: IncomingMessage & { body: Record<string, unknown> }) => {
      const email = emailFor(req.body);
      // A token id makes every token unique, as a provider's are (two in one second would be equal).
      Object.assign(token.payload, { jti: randomUUID() });
      if (email) Object.assign(token.payload, { sub: email, email, email_verified: true });
    },
  );

  service.on(
    Events.BeforeResponse,
    (
      response: { statusCode: number; body: Record<string, unknown> | "" },
      req: IncomingMessage & { body: Record<string, unknown> },
    ) => {
      const body = req.body;
      const grantType = String(body.grant_type);
      const refuse = (description: string) => {
        response.statusCode = 400;
        response.body = { error: "invalid_grant", error_description: description };
        requests.push({ grantType, ok: false });
      };
      let email: string | undefined;
      if (grantType === "authorization_code") {
        const code = typeof body.code === "string" ? codes.get(body.code) : undefined;
        if (typeof body.code === "string") codes.delete(body.code);
        if (!code) return refuse("unknown or used code");
        if (code.pkce && typeof body.code_verifier !== "string") return refuse("code_verifier required");
        email = code.email;
      } else if (grantType === "refresh_token") {
        const refresh = typeof body.refresh_token === "string" ? refreshTokens.get(body.refresh_token) : undefined;
        if (!refresh || refresh.revoked) return refuse("refresh token revoked");
        email = refresh.email;
      }
      if (!email || typeof response.body !== "object") return;
      response.body.expires_in = lifetimeSeconds;
      const access = response.body.access_token;
      if (typeof access === "string")
        accessTokens.set(access, { email, expiresAt: Date.now() + lifetimeSeconds * 1000 });
      const refresh = response.body.refresh_token;
      if (typeof refresh === "string") refreshTokens.set(refresh, { email, revoked: false });
      requests.push({ grantType, ok: true });
    },
  );

  service.addRoute("GET", "/introspect", (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers.authorization ?? "";
    const token = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
    const issued = accessTokens.get(token);
    const active = issued !== undefined && issued.expiresAt > Date.now();
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(active ? { active: true, email: issued.email, username: issued.email } : { active: false }));
  });

  // RFC 7009 revocation that takes effect (the library's own /revoke only answers 200): revoking a
  // refresh token ends the grant, as Google does, so its access tokens die with it.
  const revocations: string[] = [];
  service.addRoute("POST", "/revoke-token", (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token = typeof body.token === "string" ? body.token : "";
    const refresh = refreshTokens.get(token);
    const email = refresh?.email ?? accessTokens.get(token)?.email;
    if (email) {
      revocations.push(email);
      for (const candidate of refreshTokens.values()) if (candidate.email === email) candidate.revoked = true;
      for (const issued of accessTokens.values()) if (issued.email === email) issued.expiresAt = 0;
    }
    res.statusCode = 200;
    res.end();
  });

  await server.start(port, "127.0.0.1");

  return {
    issuer,
    endpoints: { authorize: `${issuer}/authorize`, token: `${issuer}/token`, revoke: `${issuer}/revoke-token`, issuer },
    introspectionUrl: `${issuer}/introspect`,
    signInAs: (email) => {
      signedIn = email;
    },
    setAccessTokenLifetime: (seconds) => {
      lifetimeSeconds = seconds;
    },
    expireAccessTokens: () => {
      for (const issued of accessTokens.values()) issued.expiresAt = 0;
    },
    revokeAccess: (email) => {
      for (const refresh of refreshTokens.values()) if (refresh.email === email) refresh.revoked = true;
      for (const issued of accessTokens.values()) if (issued.email === email) issued.expiresAt = 0;
    },
    tokenRequests: () => [...requests],
    revocations: () => [...revocations],
    close: () => server.stop(),
  };
}
