import type { Executor } from "@tidings/db";
import { createDevMailboxTransport } from "./dev-mailbox.ts";
import { createSmtpTransport } from "./smtp.ts";
import type { MailTransport } from "./transport.ts";

/** SMTP when SMTP_URL is set; otherwise the dev mailbox in the database. */
export function createMailTransport(settings: { smtpUrl: string | undefined }, db: Executor): MailTransport {
  return settings.smtpUrl ? createSmtpTransport(settings.smtpUrl) : createDevMailboxTransport(db);
}
