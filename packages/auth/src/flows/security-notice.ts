import type { User } from "@tidings/db";
import type { RequestOrigin } from "../audit.ts";

/** The data of the emails that tell an owner what happened to their account, when and from where. */
export function securityNotice(user: Pick<User, "display_name">, origin: RequestOrigin, at = new Date()) {
  return {
    displayName: user.display_name,
    at: at.toISOString(),
    ip: origin.ip,
    userAgent: origin.userAgent || "unknown",
  };
}
