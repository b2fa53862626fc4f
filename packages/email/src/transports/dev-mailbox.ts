import { type Executor, insertDevMailboxEmail } from "@tidings/db";
import type { MailTransport } from "./transport.ts";

/** Stores emails in the database for /dev/mailbox, for running without an SMTP server. */
export function createDevMailboxTransport(db: Executor): MailTransport {
  return {
    async send(email) {
      await insertDevMailboxEmail(db, {
        messageId: email.messageId,
        sender: email.from,
        recipient: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
      });
    },
    async close() {},
  };
}
