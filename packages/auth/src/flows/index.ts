export { resendVerification, unlockAccount } from "./account-recovery.ts";
export { applyAdminEmails } from "./admin-emails.ts";
export { authenticate, type Principal } from "./authenticate.ts";
export { changePassword } from "./change-password.ts";
export { deleteAccount } from "./delete-account.ts";
export {
  type AuthDeps,
  type AuthEmail,
  type AuthObserver,
  type SignInOutcome,
  signInOutcomes,
  type TokenRefreshOutcome,
  tokenRefreshOutcomes,
} from "./deps.ts";
export { confirmEmailChange, EMAIL_CHANGE_SECONDS, requestEmailChange } from "./email-change.ts";
export { announceEndedSessions, restoreEndedSessions } from "./ended-sessions.ts";
export {
  type AccountExport,
  buildAccountExport,
  EXPORT_LINK_SECONDS,
  issueExportLink,
  readExportLink,
} from "./export.ts";
export { AuthFailure, type AuthFailureCode, invalidSecondFactor } from "./failure.ts";
export {
  acceptInvitation,
  createInvitation,
  type InvitationStatus,
  type InvitationView,
  listInvitations,
  revokeInvitation,
} from "./invitations.ts";
export { login } from "./login.ts";
export { logout } from "./logout.ts";
export { disableTotp, enableTotp, mfaStatus, regenerateRecoveryCodes, setupTotp } from "./mfa.ts";
export {
  isMfaRequired,
  MFA_TOKEN_SECONDS,
  type MfaRequired,
  mfaChallengeEmail,
  openMfaChallenge,
  type SignInSecondFactor,
  verifyMfa,
} from "./mfa-sign-in.ts";
export {
  type AuthenticationResponseJSON,
  listUserPasskeys,
  PASSKEY_CHALLENGE_SECONDS,
  type PasskeyView,
  passkeyLogin,
  passkeyRegistrationOptions,
  passkeySignInOptions,
  type RegistrationResponseJSON,
  registerPasskey,
  removePasskey,
} from "./passkeys.ts";
export {
  checkPasswordResetToken,
  type PasswordResetTokenCheck,
  requestPasswordReset,
  resetPassword,
} from "./password-reset.ts";
export { refresh } from "./refresh.ts";
export { type AcceptedSignUp, acceptSignUp, register } from "./register.ts";
export { type SecondFactor, totpEnabled } from "./second-factor.ts";
export { verifyEmail } from "./verify-email.ts";
export { type AuthResult, type SessionView, toSessionView, toUserView, type UserView } from "./views.ts";
