import type { Config } from "@tidings/config";
import {
  type ConnectionLimits,
  parseAllowedPrivateHosts,
  type ServerSettings,
  type SideResult,
  testImap,
  testSmtp,
} from "@tidings/mail";
import { AppError } from "../../errors.ts";

export type Protocol = "imap" | "smtp";

/** The address guard's exceptions (S24) from MAIL_ALLOWED_PRIVATE_HOSTS; the guard runs per connection. */
export function connectionLimits(config: Config): ConnectionLimits {
  return { allowedPrivateHosts: parseAllowedPrivateHosts(config.mail.allowedPrivateHosts) };
}

/** Logs in to the given sides at once (nothing saved); a side not given is not contacted. */
export async function checkServers(
  config: Config,
  sides: { imap?: ServerSettings; smtp?: ServerSettings },
): Promise<Partial<Record<Protocol, SideResult>>> {
  const limits = connectionLimits(config);
  const [imap, smtp] = await Promise.all([
    sides.imap ? testImap(sides.imap, limits) : undefined,
    sides.smtp ? testSmtp(sides.smtp, limits) : undefined,
  ]);
  return { ...(imap ? { imap } : {}), ...(smtp ? { smtp } : {}) };
}

/**
 * Refuses with the app code of the first failed side (IMAP before SMTP), its protocol and, for a
 * connection failure, why (API.md: MAIL_AUTH_FAILED, MAIL_CONNECTION_FAILED, HOST_NOT_ALLOWED).
 * The messages are the credential test's own wording: host and port, never the password.
 */
export function refuseFailedSide(results: Partial<Record<Protocol, SideResult>>): void {
  for (const protocol of ["imap", "smtp"] as const) {
    const error = results[protocol]?.error;
    if (!error) continue;
    switch (error.code) {
      case "MAIL_AUTH_FAILED":
        throw new AppError("MAIL_AUTH_FAILED", error.message, { protocol });
      case "MAIL_CONNECTION_FAILED":
        throw new AppError("MAIL_CONNECTION_FAILED", error.message, { protocol, reason: error.reason });
      case "HOST_NOT_ALLOWED":
        throw new AppError("HOST_NOT_ALLOWED", error.message, { protocol });
    }
  }
}

/** The settings as stored in the row: the password goes only into the sealed credentials (S23). */
export function withoutPassword<T extends { password?: string }>(settings: T): Omit<T, "password"> {
  const { password: _password, ...rest } = settings;
  return rest;
}
