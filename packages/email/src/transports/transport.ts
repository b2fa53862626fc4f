export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** With angle brackets, e.g. `<id@example.com>`; stable across retries of one email. */
  messageId: string;
}

export interface MailTransport {
  send(email: OutgoingEmail): Promise<void>;
  close(): Promise<void>;
}

/** An SMTP 5xx: the server refused for good (unknown user, policy); retrying cannot help. */
export function isPermanentSendError(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === "number" && code >= 500 && code < 600;
}
