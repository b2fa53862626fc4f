import type { Config } from "@tidings/config";
import type { Executor } from "@tidings/db";
import { createDevMailboxTransport, createSmtpTransport, type MailTransport } from "@tidings/email";

/** SMTP when SMTP_URL is set; otherwise the dev mailbox in the database. */
export function createMailTransport(config: Config, db: Executor): MailTransport {
  return config.smtpUrl ? createSmtpTransport(config.smtpUrl) : createDevMailboxTransport(db);
}
