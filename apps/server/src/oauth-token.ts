import { type ApiObserver, consumeRateLimits, type RateLimitCheck, refreshLimits, signInLimits } from "@tidings/api";
import {
  type AuthDeps,
  AuthFailure,
  type AuthResult,
  isMfaRequired,
  login,
  type MfaRequired,
  type RequestOrigin,
  refresh,
} from "@tidings/auth";
import type { Config } from "@tidings/config";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Services } from "./services.ts";

/**
 * `POST /oauth/token`: the RFC 6749 token endpoint for tools and apps that speak OAuth rather than
 * tRPC. A public client, so there is no client authentication; the rules stay in @tidings/auth.
 */

const FORM = "application/x-www-form-urlencoded";
// Room for every bounded parameter below even fully percent-encoded (three bytes per character);
// anything bigger is refused before it is read into memory.
const BODY_LIMIT = 8 * 1024;
const maxLength = { username: 320, password: 1024, refresh_token: 512 } as const;

// One description per grant, whatever failed, so no answer tells whether the account exists (S5, S8).
const BAD_CREDENTIALS = "The username or password is wrong, or the account cannot sign in";
const BAD_REFRESH_TOKEN = "The refresh token is invalid, expired or revoked";
// Said only after a right password, as auth.login's mfaRequired answer is.
const MFA_NEEDED =
  "This account uses two-factor sign-in, which the password grant cannot complete; sign in with auth.login and auth.verifyMfa";

type OAuthErrorCode = "invalid_request" | "unsupported_grant_type" | "invalid_grant";

/**
 * Counts one attempt against each rule; answers the seconds to wait when one refuses. The same
 * rules and keys as `auth.login` and `auth.refresh`, so the two doors share one budget (S9).
 */
export type LimitCheck = (checks: readonly RateLimitCheck[]) => Promise<number | undefined>;

export interface TokenAnswer {
  status: 200 | 400 | 429;
  retryAfterSeconds?: number;
  body:
    | { access_token: string; token_type: "Bearer"; expires_in: number; refresh_token: string }
    | { error: OAuthErrorCode; error_description: string; app_code?: "MFA_REQUIRED" };
}

export async function registerOAuthTokenRoute(
  app: FastifyInstance,
  services: Services,
  config: Config,
  observer?: ApiObserver,
): Promise<void> {
  const limits: LimitCheck = async (checks) => {
    const refused = await consumeRateLimits(services.rateLimiter, config, checks);
    // Counted like tRPC's refusals, so tidings_rate_limit_rejections_total sees both doors.
    if (refused) observer?.rateLimited?.(refused.rule);
    return refused?.retryAfterSeconds;
  };
  // An encapsulated scope: the form parser, the error handler and the headers apply to this route only.
  await app.register(async (scope) => {
    // The form is the only body this endpoint takes (§4.3.2, §6); without a parser for anything
    // else, Fastify refuses other types before the handler, and the error handler maps that.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(FORM, { parseAs: "string" }, (_request, body, done) => {
      done(null, new URLSearchParams(String(body)));
    });

    // §5.1 and §5.2: token responses must never be cached, errors included.
    scope.addHook("onRequest", async (_request, reply) => {
      reply.header("cache-control", "no-store").header("pragma", "no-cache");
    });

    scope.setErrorHandler((error, request, reply) => {
      // Fastify's own 4xx here are a wrong content type, an oversized or unreadable body.
      const status = error instanceof Error && "statusCode" in error ? Number(error.statusCode) : 500;
      if (status >= 400 && status < 500) {
        return send(reply, failure("invalid_request", `Send the parameters as ${FORM} of at most ${BODY_LIMIT} bytes`));
      }
      request.log.error({ err: error }, "token endpoint failed");
      return reply.code(500).send({ error: "server_error" });
    });

    scope.post("/oauth/token", { bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const origin = { ip: request.ip, userAgent: request.headers["user-agent"] };
      return send(reply, await answerTokenRequest(services.auth, request.body, origin, limits));
    });
  });
}

/** The whole exchange, given the parsed body; unknown errors are left to the caller. */
export async function answerTokenRequest(
  auth: AuthDeps,
  body: unknown,
  origin: RequestOrigin,
  limits: LimitCheck,
): Promise<TokenAnswer> {
  // No body at all (no content type, empty request) arrives here as undefined.
  if (!(body instanceof URLSearchParams)) return failure("invalid_request", `Send the parameters as ${FORM}`);
  // §3.2: parameters must not repeat; which copy to believe would be a guess.
  const names = [...body.keys()];
  if (new Set(names).size !== names.length) return failure("invalid_request", "A parameter is repeated");

  const grantType = present(body, "grant_type");
  if (grantType === undefined) return failure("invalid_request", "Missing parameter: grant_type");

  if (grantType === "password") {
    const username = bounded(body, "username");
    const password = bounded(body, "password");
    if (typeof username !== "string") return username;
    if (typeof password !== "string") return password;
    // Before any password is hashed.
    const wait = await limits(signInLimits(origin.ip, username));
    if (wait !== undefined) return tooMany(wait);
    return grant(() => login(auth, { email: username, password }, origin), BAD_CREDENTIALS);
  }
  if (grantType === "refresh_token") {
    const refreshToken = bounded(body, "refresh_token");
    if (typeof refreshToken !== "string") return refreshToken;
    const wait = await limits(await refreshLimits(auth.db, refreshToken, origin.ip));
    if (wait !== undefined) return tooMany(wait);
    return grant(() => refresh(auth, refreshToken, origin), BAD_REFRESH_TOKEN);
  }
  return failure("unsupported_grant_type", "Supported grant types: password, refresh_token");
}

/**
 * Runs a flow; any AuthFailure is the grant's one invalid_grant, anything else propagates. An
 * account with two-factor on gets invalid_grant too (RFC 6749 §5.2 has no code of its own for
 * it), told apart by the app code MFA_REQUIRED of API.md.
 */
async function grant(flow: () => Promise<AuthResult | MfaRequired>, description: string): Promise<TokenAnswer> {
  let result: AuthResult | MfaRequired;
  try {
    result = await flow();
  } catch (error) {
    if (error instanceof AuthFailure) return failure("invalid_grant", description);
    throw error;
  }
  if (isMfaRequired(result)) {
    return { status: 400, body: { error: "invalid_grant", error_description: MFA_NEEDED, app_code: "MFA_REQUIRED" } };
  }
  return {
    status: 200,
    body: {
      access_token: result.accessToken,
      token_type: "Bearer",
      expires_in: Math.max(0, Math.round((result.accessTokenExpiresAt.getTime() - Date.now()) / 1000)),
      refresh_token: result.refreshToken,
    },
  };
}

/** §3.1: a parameter sent without a value counts as omitted. */
function present(body: URLSearchParams, name: string): string | undefined {
  const value = body.get(name);
  return value ? value : undefined;
}

function bounded(body: URLSearchParams, name: keyof typeof maxLength): string | TokenAnswer {
  const value = present(body, name);
  if (value === undefined) return failure("invalid_request", `Missing parameter: ${name}`);
  if (value.length > maxLength[name]) return failure("invalid_request", `Parameter too long: ${name}`);
  return value;
}

function failure(error: OAuthErrorCode, description: string): TokenAnswer {
  return { status: 400, body: { error, error_description: description } };
}

/** RFC 6749 has no code for this; RFC 6585's 429 with Retry-After says it in HTTP's own terms. */
function tooMany(retryAfterSeconds: number): TokenAnswer {
  return {
    status: 429,
    retryAfterSeconds,
    body: { error: "invalid_request", error_description: `Too many attempts. Try again in ${retryAfterSeconds} s.` },
  };
}

function send(reply: FastifyReply, answer: TokenAnswer): FastifyReply {
  if (answer.retryAfterSeconds !== undefined) reply.header("retry-after", String(answer.retryAfterSeconds));
  return reply.code(answer.status).send(answer.body);
}
