import type { z } from "zod";
import {
  aiDraftReplyInput,
  aiFeedbackInput,
  aiMessageInput,
  aiSettingsUpdateInput,
  aiTestProviderInput,
  aiThreadInput,
  aiUsageInput,
} from "./router/ai/schema.ts";
import {
  acceptInvitationInput,
  attachmentUrlInput,
  cancelSendInput,
  changeEmailInput,
  changePasswordInput,
  checkPasswordResetTokenInput,
  createInvitationInput,
  deleteAccountInput,
  devMailboxListInput,
  disableTotpInput,
  emailOnlyInput,
  idInput,
  invitationIdInput,
  listEventsInput,
  listInvitationsInput,
  listUsersInput,
  loginInput,
  mailAccountAddInput,
  mailAccountIdInput,
  mailAccountOAuthStartInput,
  mailAccountTestInput,
  mailAccountUpdateInput,
  mailContactsInput,
  mailEventsInput,
  mailFoldersInput,
  mailForgetSearchInput,
  mailRecordSearchInput,
  mailRemoteContentSenderInput,
  mailThreadInput,
  mailThreadsInput,
  mailUpdateInput,
  pageInput,
  passkeyIdInput,
  passkeyLoginInput,
  passkeyOptionsInput,
  passwordOnlyInput,
  refreshInput,
  registerInput,
  registerPasskeyInput,
  resetPasswordInput,
  saveDraftInput,
  sendMailInput,
  sendTestEmailInput,
  sessionIdInput,
  setUserDisabledInput,
  tokenInput,
  totpCodeInput,
  updateProfileInput,
  userIdInput,
  verifyEmailInput,
  verifyMfaInput,
} from "./schemas.ts";

/** What the HTTP layer may know of a procedure without looking inside tRPC's router. */
export interface ProcedureInfo {
  /** A subscription is served as server-sent events (`GET`, `text/event-stream`). */
  type: "query" | "mutation" | "subscription";
  /** The schema the procedure parses its input with; none when it takes no input. */
  input?: z.ZodType;
  /** Needs `Authorization: Bearer <access token>` (admin procedures also need the admin role). */
  signedIn: boolean;
  /** A development tool that production does not serve (left out of the API description). */
  devOnly?: boolean;
}

/**
 * Every procedure of the app router, by path: the OpenAPI document and the metrics' label set are
 * built from it. `procedures.test.ts` checks it against the router, both ways.
 */
export const procedureCatalogue = {
  "health.ping": { type: "query", signedIn: false },

  "auth.register": { type: "mutation", input: registerInput, signedIn: false },
  "auth.verifyEmail": { type: "mutation", input: verifyEmailInput, signedIn: false },
  "auth.login": { type: "mutation", input: loginInput, signedIn: false },
  "auth.refresh": { type: "mutation", input: refreshInput, signedIn: false },
  "auth.logout": { type: "mutation", signedIn: true },
  "auth.resendVerification": { type: "mutation", input: emailOnlyInput, signedIn: false },
  "auth.requestPasswordReset": { type: "mutation", input: emailOnlyInput, signedIn: false },
  "auth.resetPassword": { type: "mutation", input: resetPasswordInput, signedIn: false },
  "auth.checkPasswordResetToken": { type: "query", input: checkPasswordResetTokenInput, signedIn: false },
  "auth.unlockAccount": { type: "mutation", input: tokenInput, signedIn: false },
  "auth.changePassword": { type: "mutation", input: changePasswordInput, signedIn: true },
  "auth.me": { type: "query", signedIn: true },

  "session.list": { type: "query", signedIn: true },
  "session.revoke": { type: "mutation", input: sessionIdInput, signedIn: true },
  "session.revokeOthers": { type: "mutation", signedIn: true },

  "account.updateProfile": { type: "mutation", input: updateProfileInput, signedIn: true },
  "account.securityEvents": { type: "query", input: pageInput, signedIn: true },

  "admin.users.list": { type: "query", input: listUsersInput, signedIn: true },
  "admin.users.unlock": { type: "mutation", input: userIdInput, signedIn: true },
  "admin.users.setDisabled": { type: "mutation", input: setUserDisabledInput, signedIn: true },
  "admin.users.revokeSessions": { type: "mutation", input: userIdInput, signedIn: true },
  "admin.events.list": { type: "query", input: listEventsInput, signedIn: true },

  "mailAccount.presets": { type: "query", signedIn: true },
  "mailAccount.test": { type: "mutation", input: mailAccountTestInput, signedIn: true },
  "mailAccount.add": { type: "mutation", input: mailAccountAddInput, signedIn: true },
  "mailAccount.list": { type: "query", signedIn: true },
  "mailAccount.update": { type: "mutation", input: mailAccountUpdateInput, signedIn: true },
  "mailAccount.resync": { type: "mutation", input: mailAccountIdInput, signedIn: true },
  "mailAccount.remove": { type: "mutation", input: mailAccountIdInput, signedIn: true },
  "mailAccount.oauthStart": { type: "mutation", input: mailAccountOAuthStartInput, signedIn: true },

  "auth.verifyMfa": { type: "mutation", input: verifyMfaInput, signedIn: false },
  "account.changeEmail": { type: "mutation", input: changeEmailInput, signedIn: true },
  "account.confirmEmailChange": { type: "mutation", input: tokenInput, signedIn: false },
  "account.export": { type: "mutation", signedIn: true },
  "account.delete": { type: "mutation", input: deleteAccountInput, signedIn: true },
  "auth.acceptInvitation": { type: "mutation", input: acceptInvitationInput, signedIn: false },
  "admin.invitations.create": { type: "mutation", input: createInvitationInput, signedIn: true },
  "admin.invitations.list": { type: "query", input: listInvitationsInput, signedIn: true },
  "admin.invitations.revoke": { type: "mutation", input: invitationIdInput, signedIn: true },
  "mfa.status": { type: "query", signedIn: true },
  "mfa.totp.setup": { type: "mutation", signedIn: true },
  "mfa.totp.enable": { type: "mutation", input: totpCodeInput, signedIn: true },
  "mfa.totp.disable": { type: "mutation", input: disableTotpInput, signedIn: true },
  "mfa.recoveryCodes.regenerate": { type: "mutation", input: passwordOnlyInput, signedIn: true },
  "auth.passkeyOptions": { type: "mutation", input: passkeyOptionsInput, signedIn: false },
  "auth.passkeyLogin": { type: "mutation", input: passkeyLoginInput, signedIn: false },
  "mfa.passkey.registerOptions": { type: "mutation", signedIn: true },
  "mfa.passkey.register": { type: "mutation", input: registerPasskeyInput, signedIn: true },
  "mfa.passkey.remove": { type: "mutation", input: passkeyIdInput, signedIn: true },

  "mail.folders": { type: "query", input: mailFoldersInput, signedIn: true },
  "mail.threads": { type: "query", input: mailThreadsInput, signedIn: true },
  "mail.thread": { type: "query", input: mailThreadInput, signedIn: true },
  "mail.overview": { type: "query", signedIn: true },
  "mail.update": { type: "mutation", input: mailUpdateInput, signedIn: true },
  "mail.remoteContentSender": { type: "mutation", input: mailRemoteContentSenderInput, signedIn: true },
  "mail.saveDraft": { type: "mutation", input: saveDraftInput, signedIn: true },
  "mail.send": { type: "mutation", input: sendMailInput, signedIn: true },
  "mail.cancelSend": { type: "mutation", input: cancelSendInput, signedIn: true },
  "mail.attachmentUrl": { type: "query", input: attachmentUrlInput, signedIn: true },
  "mail.events": { type: "subscription", input: mailEventsInput, signedIn: true },
  "mail.contacts": { type: "query", input: mailContactsInput, signedIn: true },
  "mail.recentSearches": { type: "query", signedIn: true },
  "mail.recordSearch": { type: "mutation", input: mailRecordSearchInput, signedIn: true },
  "mail.forgetSearch": { type: "mutation", input: mailForgetSearchInput, signedIn: true },

  "ai.settings.get": { type: "query", signedIn: true },
  "ai.settings.update": { type: "mutation", input: aiSettingsUpdateInput, signedIn: true },
  "ai.analysis": { type: "query", input: aiMessageInput, signedIn: true },
  "ai.summarizeThread": { type: "mutation", input: aiThreadInput, signedIn: true },
  "ai.draftReply": { type: "mutation", input: aiDraftReplyInput, signedIn: true },
  "ai.feedback": { type: "mutation", input: aiFeedbackInput, signedIn: true },
  "ai.usage": { type: "query", input: aiUsageInput, signedIn: true },
  "ai.testProvider": { type: "mutation", input: aiTestProviderInput, signedIn: true },

  "devMailbox.list": { type: "query", input: devMailboxListInput, signedIn: false, devOnly: true },
  "devMailbox.get": { type: "query", input: idInput, signedIn: false, devOnly: true },
  "devMailbox.sendTest": { type: "mutation", input: sendTestEmailInput, signedIn: false, devOnly: true },
} as const satisfies Record<string, ProcedureInfo>;

export type ProcedurePath = keyof typeof procedureCatalogue;

/** The catalogue as a list, for code that walks every procedure. */
export const procedureList: readonly (ProcedureInfo & { path: ProcedurePath })[] = Object.entries(
  procedureCatalogue,
).map(([path, info]) => ({ path: path as ProcedurePath, ...info }));
