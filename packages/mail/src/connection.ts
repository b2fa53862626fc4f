import { isIP } from "node:net";
import type { ImapFlowOptions } from "imapflow";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { type AllowedPrivateHosts, resolveAllowedAddress } from "./address-guard.ts";
import type { Security } from "./presets.ts";

/** What the user enters for one side (API.md ServerSettings). */
export interface ServerSettings {
  host: string;
  port: number;
  security: Security;
  username: string;
  password: string;
}

export interface ConnectionLimits {
  allowedPrivateHosts: AllowedPrivateHosts;
  /** Per phase (connect, greeting, socket idle); default 10 s. */
  timeoutMs?: number;
}

/**
 * imapflow options that connect to the address the guard checked (not the name again, which could
 * resolve elsewhere by then), with the entered host as TLS server name so certificates still verify.
 * `security: "starttls"` requires the upgrade; "none" still upgrades when the server offers it (S25).
 */
export async function imapOptions(settings: ServerSettings, limits: ConnectionLimits): Promise<ImapFlowOptions> {
  const address = await resolveAllowedAddress(settings.host, limits.allowedPrivateHosts);
  const timeoutMs = limits.timeoutMs ?? 10_000;
  return {
    host: address,
    port: settings.port,
    secure: settings.security === "tls",
    servername: tlsServerName(settings.host),
    doSTARTTLS: settings.security === "starttls" ? true : undefined,
    auth: { user: settings.username, pass: settings.password },
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs, 60_000),
    disableAutoIdle: true,
    clientInfo: { name: "Tidings" },
  };
}

/** nodemailer SMTP options on the same terms as imapOptions. */
export async function smtpOptions(settings: ServerSettings, limits: ConnectionLimits): Promise<SMTPTransport.Options> {
  const address = await resolveAllowedAddress(settings.host, limits.allowedPrivateHosts);
  const timeoutMs = limits.timeoutMs ?? 10_000;
  return {
    host: address,
    port: settings.port,
    secure: settings.security === "tls",
    requireTLS: settings.security === "starttls",
    tls: { servername: tlsServerName(settings.host) },
    auth: { user: settings.username, pass: settings.password },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs, 60_000),
    logger: false,
    debug: false,
  };
}

/** SNI carries names only; for an address literal the certificate is checked against the address. */
function tlsServerName(host: string): string | undefined {
  return isIP(host.replace(/^\[(.*)\]$/, "$1")) ? undefined : host;
}
