import type { RefreshCookie } from "@tidings/api";
import type { Config } from "@tidings/config";
import type { FastifyReply, FastifyRequest } from "fastify";

/** `__Host-` binds the cookie to this exact origin, but browsers accept it only over https. */
export function refreshCookieName(config: Config): string {
  return config.appUrl.startsWith("https://") ? "__Host-tidings_rt" : "tidings_rt";
}

export function refreshCookieFor(config: Config, request: FastifyRequest, reply: FastifyReply): RefreshCookie {
  const name = refreshCookieName(config);
  const options = { httpOnly: true, secure: true, sameSite: "strict" as const, path: "/" };
  return {
    read: () => request.cookies[name],
    set: (token, expiresAt) => {
      reply.setCookie(name, token, { ...options, expires: expiresAt });
    },
    clear: () => {
      reply.clearCookie(name, options);
    },
  };
}

/** S17: a cookie-authenticated mutation must show it comes from our own pages. */
export function csrfProofCheck(config: Config): (request: FastifyRequest) => boolean {
  // Parsed once: a URL per request is a visible part of a small request's cost.
  const appOrigin = new URL(config.appUrl).origin;
  return (request) => request.headers["x-tidings-csrf"] === "1" || request.headers.origin === appOrigin;
}
