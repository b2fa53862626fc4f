export type TokenErrorCode = "TOKEN_INVALID" | "TOKEN_EXPIRED";

/**
 * A refused access token. TOKEN_EXPIRED only for a token that is otherwise valid, so clients know a
 * refresh will help; TOKEN_INVALID for everything else.
 */
export class TokenError extends Error {
  override readonly name = "TokenError";
  readonly code: TokenErrorCode;
  /** A fixed, short description for logs; never taken from the token, which is a credential. */
  readonly reason: string;

  constructor(code: TokenErrorCode, reason: string) {
    super(code === "TOKEN_EXPIRED" ? "access token expired" : `access token invalid: ${reason}`);
    this.code = code;
    this.reason = reason;
  }
}
