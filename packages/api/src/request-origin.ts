import type { RequestOrigin } from "@tidings/auth";

/** Where a request came from, as audit events record it. */
export function requestOrigin(ctx: { request: { ip: string; userAgent: string | undefined } }): RequestOrigin {
  return { ip: ctx.request.ip, userAgent: ctx.request.userAgent };
}
