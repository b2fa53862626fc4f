import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { freePort } from "./ports.ts";
import { waitUntil } from "./wait.ts";

export interface ReceivedEmail {
  messageId: string;
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  /** Threading headers as sent, with angle brackets (empty when absent). */
  inReplyTo: string;
  references: string[];
  /** The envelope's recipients (RCPT TO), Bcc included. */
  envelopeTo: string[];
  /** Whether the message carried a Bcc header (it must not, as delivered). */
  hasBccHeader: boolean;
  attachments: { filename: string; contentType: string; size: number }[];
  /** When the sink accepted it (ms since the epoch). */
  acceptedAt: number;
}

export type SmtpReply = { code: number; message: string } | undefined;

export interface SmtpSinkOptions {
  /**
   * Decides the answer to each message: undefined accepts it (250); a code rejects it.
   * `attempt` counts the deliveries of the same Message-ID, starting at 1.
   */
  reply?: (email: ReceivedEmail, attempt: number) => SmtpReply;
  /** Login names and passwords: when given, the sink offers AUTH PLAIN/LOGIN and requires it. */
  users?: Record<string, string>;
  /**
   * Also offer AUTH XOAUTH2 (and require AUTH): answers whether the bearer token is good for the
   * login name, e.g. by asking the test OAuth server's introspection.
   */
  oauth2?: (user: string, accessToken: string) => boolean | Promise<boolean>;
  /**
   * Offer TLS with this certificate and key (PEM text): implicit TLS from the first byte when
   * `implicit`, else STARTTLS. Without it the sink speaks plain text only.
   */
  tls?: { cert: string; key: string; implicit?: boolean };
}

export interface SmtpSink {
  url: string;
  /** Messages accepted (answered 250), in order. */
  accepted: ReceivedEmail[];
  /** How many messages are waiting for an answer because of hold(). */
  held(): number;
  /** From now on, messages get no answer until release() (as if the server were slow). */
  hold(): void;
  /** Answers held messages with 451 (not accepted) and accepts normally again. */
  release(): void;
  waitForAccepted(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) on a free loopback port that parses what it receives (mailparser). */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const accepted: ReceivedEmail[] = [];
  const attempts = new Map<string, number>();
  const listeners = new Set<() => void>();
  let holding = false;
  let heldCallbacks: Array<() => void> = [];

  const users = options.users;
  const oauth2 = options.oauth2;
  const tls = options.tls;
  const requireAuth = Boolean(users || oauth2);
  const server = new SMTPServer({
    authOptional: !requireAuth,
    disabledCommands: [...(tls ? [] : ["STARTTLS"]), ...(requireAuth ? [] : ["AUTH"])],
    // Only loopback here: plain AUTH is what the tests without TLS can use.
    allowInsecureAuth: true,
    ...(tls ? { key: tls.key, cert: tls.cert, secure: Boolean(tls.implicit) } : {}),
    authMethods: oauth2 ? ["PLAIN", "LOGIN", "XOAUTH2"] : ["PLAIN", "LOGIN"],
    onAuth(auth, _session, callback) {
      if (auth.method === "XOAUTH2") {
        const user = auth.username ?? "";
        Promise.resolve(oauth2 && auth.accessToken ? oauth2(user, auth.accessToken) : false)
          .then((good) =>
            // RFC 7628: a refused token is answered with a JSON error challenge, then 535.
            good ? callback(null, { user }) : callback(null, { data: { status: "401", schemes: "bearer" } }),
          )
          .catch(() => callback(smtpError(454, "Temporary authentication failure")));
        return;
      }
      if (users && auth.username !== undefined && users[auth.username] === auth.password) {
        return callback(null, { user: auth.username });
      }
      callback(smtpError(535, "Authentication credentials invalid"));
    },
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (parsed) => {
          const email = { ...toReceived(parsed), envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address) };
          if (holding) {
            await new Promise<void>((resolve) => heldCallbacks.push(resolve));
            return callback(smtpError(451, "Try again later"));
          }
          const attempt = (attempts.get(email.messageId) ?? 0) + 1;
          attempts.set(email.messageId, attempt);
          const answer = options.reply?.(email, attempt);
          if (answer) return callback(smtpError(answer.code, answer.message));
          accepted.push({ ...email, acceptedAt: Date.now() });
          callback(null, "Queued");
          for (const listener of listeners) listener();
        })
        .catch((error: Error) => callback(error));
    },
  });
  server.on("error", () => {});
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));

  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    held: () => heldCallbacks.length,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      const waiting = heldCallbacks;
      heldCallbacks = [];
      for (const resolve of waiting) resolve();
    },
    waitForAccepted: (count, timeoutMs = 60_000) =>
      waitUntil(
        listeners,
        () => (accepted.length >= count ? accepted : undefined),
        timeoutMs,
        () => `SMTP sink got ${accepted.length} of ${count} messages within ${timeoutMs} ms`,
      ),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function toReceived(parsed: ParsedMail): ReceivedEmail {
  const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(", ") : (parsed.to?.text ?? "");
  return {
    messageId: parsed.messageId ?? "",
    to,
    from: parsed.from?.text ?? "",
    subject: parsed.subject ?? "",
    html: typeof parsed.html === "string" ? parsed.html : "",
    text: parsed.text ?? "",
    inReplyTo: parsed.inReplyTo ?? "",
    references: typeof parsed.references === "string" ? [parsed.references] : (parsed.references ?? []),
    envelopeTo: [],
    hasBccHeader: parsed.headers.has("bcc"),
    attachments: parsed.attachments.map((attachment) => ({
      filename: attachment.filename ?? "",
      contentType: attachment.contentType,
      size: attachment.size,
    })),
    acceptedAt: 0,
  };
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}
