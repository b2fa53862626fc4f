/** The outcomes a caller must tell apart; the API maps each to its app code. */
export type AuthFailureCode =
  | "INVALID_CREDENTIALS"
  | "EMAIL_NOT_VERIFIED"
  | "WEAK_PASSWORD"
  | "TOKEN_INVALID"
  | "TOKEN_EXPIRED"
  | "SESSION_REVOKED"
  | "REFRESH_TOKEN_REUSED"
  | "MFA_REQUIRED"
  | "MFA_INVALID"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "INVALID_INPUT";

export class AuthFailure extends Error {
  constructor(
    readonly code: AuthFailureCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "AuthFailure";
  }
}

/** One message for every sign-in failure, so none tells whether the email exists (S5, S8). */
export const invalidCredentials = () => new AuthFailure("INVALID_CREDENTIALS", "Wrong email or password");

/** One message for every refused second factor: wrong, reused or expired code alike (S33). */
export const invalidSecondFactor = () => new AuthFailure("MFA_INVALID", "That code is not right, or was used already");
