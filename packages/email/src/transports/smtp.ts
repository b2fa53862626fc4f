import { createTransport } from "nodemailer";
import type { MailTransport } from "./transport.ts";

/**
 * SMTP through nodemailer with pooled connections. TLS follows the URL: `smtps://` is implicit
 * TLS, `smtp://` upgrades with STARTTLS when offered; add `?tls.rejectUnauthorized=false` only for
 * a test server with a self-signed certificate.
 */
export function createSmtpTransport(smtpUrl: string, options: { maxConnections?: number } = {}): MailTransport {
  // nodemailer reads transport options from the URL's query string.
  const url = new URL(smtpUrl);
  url.searchParams.set("pool", "true");
  url.searchParams.set("maxConnections", String(options.maxConnections ?? 5));
  url.searchParams.set("maxMessages", "1000");
  const transporter = createTransport(url.toString());
  return {
    async send(email) {
      await transporter.sendMail({
        from: email.from,
        to: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        messageId: email.messageId,
      });
    },
    async close() {
      transporter.close();
    },
  };
}
