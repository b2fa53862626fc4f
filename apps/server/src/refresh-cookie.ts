import type { RefreshCookie } from "@tidings/api";
import type { Config } from "@tidings/config";
import type { FastifyReply, FastifyRequest } from "fastify";

/** `__Host-` binds the cookie to this exact origin, but browsers accept it only over https. */
export function refreshCookieName(config: Config): string {
  return config.appUrl.startsWith("https://") ? "__Host-tidings_rt" : "tidings_rt";
}

const cookieOptions = { httpOnly: true, secure: true, sameSite: "strict" as const, path: "/" };

export function refreshCookieFor(config: Config, request: FastifyRequest, reply: FastifyReply): RefreshCookie {
  return new RequestRefreshCookie(refreshCookieName(config), request, reply);
}

// A class rather than an object of arrow functions: one is made for every tRPC request, and under
// tsx each named closure also costs a defineProperty for its name.
class RequestRefreshCookie implements RefreshCookie {
  readonly #name: string;
  readonly #request: FastifyRequest;
  readonly #reply: FastifyReply;

  constructor(name: string, request: FastifyRequest, reply: FastifyReply) {
    this.#name = name;
    this.#request = request;
    this.#reply = reply;
  }

  read(): string | undefined {
    return this.#request.cookies[this.#name];
  }

  set(token: string, expiresAt: Date): void {
    this.#reply.setCookie(this.#name, token, { ...cookieOptions, expires: expiresAt });
  }

  clear(): void {
    this.#reply.clearCookie(this.#name, cookieOptions);
  }
}

/** S17: a cookie-authenticated mutation must show it comes from our own pages. */
export function csrfProofCheck(config: Config): (request: FastifyRequest) => boolean {
  // Parsed once: a URL per request is a visible part of a small request's cost.
  const appOrigin = new URL(config.appUrl).origin;
  return (request) => request.headers["x-tidings-csrf"] === "1" || request.headers.origin === appOrigin;
}
