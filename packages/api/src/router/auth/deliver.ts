import type { AuthResult } from "@tidings/auth";
import type { Context } from "../../context.ts";

/**
 * Hands the refresh token over the chosen way: in an HttpOnly cookie for browsers (and then not
 * in the body, so page scripts never see it), or in the body for tools and mobile apps.
 */
export function deliverAuthResult(ctx: Context, result: AuthResult, transport: "cookie" | "body") {
  const { refreshToken, ...rest } = result;
  if (transport === "body") return { ...rest, refreshToken };
  ctx.request.refreshCookie.set(refreshToken, result.session.expiresAt);
  return rest;
}
