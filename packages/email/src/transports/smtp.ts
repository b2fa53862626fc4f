import { connect } from "node:net";
import { createTransport } from "nodemailer";
import type { MailTransport } from "./transport.ts";

/**
 * SMTP through nodemailer with pooled connections. `smtps://` is implicit TLS (port 465 by
 * default); `smtp://` (port 587 by default) upgrades with STARTTLS when the server offers it.
 * Query options: `requireTLS=true`, `ignoreTLS=true`, `tls.rejectUnauthorized=false` (only for
 * a server with a self-signed certificate), `name=<hostname for EHLO>`.
 */
export function createSmtpTransport(smtpUrl: string, options: { maxConnections?: number } = {}): MailTransport {
  const smtp = smtpOptionsFromUrl(smtpUrl);
  const transporter = createTransport({
    ...smtp,
    pool: true,
    maxConnections: options.maxConnections ?? 5,
    maxMessages: 1_000,
    // nodemailer never sets TCP_NODELAY, so Nagle holds each message body until the server's
    // delayed ACK (40 ms on Linux): ~20 emails/s per connection. The pool uses a socket we hand it
    // only when it is already connected (`connection`); it upgrades it to TLS itself when needed.
    getSocket: (_options, callback) => {
      const socket = connect({ host: smtp.host, port: smtp.port, noDelay: true });
      socket.setTimeout(120_000, () => socket.destroy(new Error("SMTP connection timeout")));
      socket.once("error", callback);
      socket.once("connect", () => {
        socket.setTimeout(0);
        socket.off("error", callback);
        callback(null, { connection: socket });
      });
    },
  });
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

export function smtpOptionsFromUrl(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === "smtps:";
  const flag = (name: string) => url.searchParams.get(name) === "true";
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: flag("requireTLS"),
    ignoreTLS: flag("ignoreTLS"),
    ...(url.searchParams.get("name") ? { name: url.searchParams.get("name") ?? undefined } : {}),
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    tls: { rejectUnauthorized: url.searchParams.get("tls.rejectUnauthorized") !== "false" },
  };
}
