export type MailErrorCode = "MAIL_AUTH_FAILED" | "MAIL_CONNECTION_FAILED" | "HOST_NOT_ALLOWED";

/**
 * A failure the user can act on. `reason` is a short machine word (ECONNREFUSED, private-address,
 * ...); `message` is for people. Neither ever contains a password or token.
 */
export class MailError extends Error {
  constructor(
    readonly code: MailErrorCode,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = "MailError";
  }
}
