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

/**
 * Turns a library error into one of the three codes. Only our own wording and the library's error
 * code go out: a server's text could echo what was sent, so it never does.
 */
function describeFailure(
  error: unknown,
  protocol: "IMAP" | "SMTP",
  settings: ServerSettings,
): NonNullable<SideResult["error"]> {
  const where = `${settings.host}:${settings.port}`;
  if (error instanceof MailError) return { code: error.code, reason: error.reason, message: error.message };
  const details = (error ?? {}) as { code?: unknown; authenticationFailed?: unknown; responseCode?: unknown };
  const code = typeof details.code === "string" ? details.code : undefined;
  if (details.authenticationFailed === true || code === "EAUTH") {
    return {
      code: "MAIL_AUTH_FAILED",
      reason: "authentication-failed",
      message: `The ${protocol} server at ${where} refused the username or password`,
    };
  }
  const reason = code ?? "connection-failed";
  return {
    code: "MAIL_CONNECTION_FAILED",
    reason,
    message: `Could not talk to the ${protocol} server at ${where} (${reason})`,
  };
}
