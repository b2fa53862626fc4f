import { getSystemErrorName } from "node:util";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { type ConnectionLimits, imapOptions, type ServerSettings, smtpOptions } from "./connection.ts";
import { MailError, type MailErrorCode } from "./errors.ts";

export interface SideResult {
  ok: boolean;
  error?: { code: MailErrorCode; reason?: string; message: string };
}

export interface CredentialTestResult {
  imap: SideResult;
  smtp: SideResult;
}

/** Logs in to both servers (nothing is saved) and says, per side, what failed and why. */
export async function testCredentials(
  input: { imap: ServerSettings; smtp: ServerSettings },
  limits: ConnectionLimits,
): Promise<CredentialTestResult> {
  const [imap, smtp] = await Promise.all([testImap(input.imap, limits), testSmtp(input.smtp, limits)]);
  return { imap, smtp };
}

export async function testImap(settings: ServerSettings, limits: ConnectionLimits): Promise<SideResult> {
  try {
    const client = new ImapFlow(await imapOptions(settings, limits));
    // A failed connection also emits "error"; the rejected connect() below is what we report.
    client.on("error", () => {});
    try {
      await client.connect();
    } finally {
      await client.logout().catch(() => client.close());
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describeFailure(error, "IMAP", settings) };
  }
}

export async function testSmtp(settings: ServerSettings, limits: ConnectionLimits): Promise<SideResult> {
  try {
    const transport = nodemailer.createTransport(await smtpOptions(settings, limits));
    try {
      await transport.verify();
    } finally {
      transport.close();
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describeFailure(error, "SMTP", settings) };
  }
}

/** Why a connection failed, in the words of API.md's `MAIL_CONNECTION_FAILED` (`data.reason`). */
export type ConnectionFailureReason = "dns" | "refused" | "timeout" | "tls";

/**
 * Turns a library error into one of the three codes. Only our own wording goes out: a server's
 * text could echo what was sent, so it never does.
 */
function describeFailure(
  error: unknown,
  protocol: "IMAP" | "SMTP",
  settings: ServerSettings,
): NonNullable<SideResult["error"]> {
  const where = `${settings.host}:${settings.port}`;
  if (error instanceof MailError) {
    if (error.code !== "MAIL_CONNECTION_FAILED") {
      return { code: error.code, reason: error.reason, message: error.message };
    }
    // The guard's own connection failure is a name that did not resolve.
    return { code: error.code, reason: "dns", message: error.message };
  }
  const details = (error ?? {}) as { code?: unknown; authenticationFailed?: unknown };
  if (details.authenticationFailed === true || details.code === "EAUTH") {
    return {
      code: "MAIL_AUTH_FAILED",
      reason: "authentication-failed",
      message: `The ${protocol} server at ${where} refused the username or password`,
    };
  }
  const reason = connectionFailureReason(error);
  return {
    code: "MAIL_CONNECTION_FAILED",
    reason,
    message: `Could not talk to the ${protocol} server at ${where} (${reasonWording[reason]})`,
  };
}

const reasonWording: Record<ConnectionFailureReason, string> = {
  dns: "the name does not resolve",
  refused: "the connection was refused or closed",
  timeout: "no answer in time",
  tls: "the TLS connection failed",
};

const timeoutCodes = new Set(["ETIMEDOUT", "ETIMEOUT", "CONNECT_TIMEOUT", "GREETING_TIMEOUT", "UPGRADE_TIMEOUT"]);
const dnsCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "EDNS", "ESERVFAIL", "ENODATA"]);
const tlsCode =
  /^(?:ETLS|ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|UNABLE_TO_|HOSTNAME_MISMATCH)/;

/**
 * Sorts a socket, TLS or protocol failure into dns / refused / timeout / tls. nodemailer replaces
 * Node's code with its own ("ESOCKET"), so the system errno is read as well, and TLS failures are
 * also recognised by the wording of Node's TLS errors (read here, never passed on). Anything else
 * (reset, unreachable, a server that closes on us) counts as refused: the server would not talk.
 */
export function connectionFailureReason(error: unknown): ConnectionFailureReason {
  const details = (error ?? {}) as { code?: unknown; errno?: unknown; tlsFailed?: unknown; message?: unknown };
  const codes = [typeof details.code === "string" ? details.code : undefined, systemErrorName(details.errno)].filter(
    (code): code is string => code !== undefined,
  );
  const message = typeof details.message === "string" ? details.message : "";
  if (details.tlsFailed === true || codes.some((code) => tlsCode.test(code))) return "tls";
  if (codes.some((code) => timeoutCodes.has(code))) return "timeout";
  if (codes.some((code) => dnsCodes.has(code))) return "dns";
  if (codes.includes("ECONNREFUSED")) return "refused";
  if (/certificate|\bSSL\b|\bTLS\b/i.test(message)) return "tls";
  if (/timed? ?out/i.test(message)) return "timeout";
  return "refused";
}

function systemErrorName(errno: unknown): string | undefined {
  if (typeof errno !== "number" || errno >= 0) return undefined;
  try {
    return getSystemErrorName(errno);
  } catch {
    return undefined;
  }
}
