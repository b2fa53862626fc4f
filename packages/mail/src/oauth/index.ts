export { oauthConfiguration } from "./client.ts";
export {
  completeMailOAuth,
  MAIL_OAUTH_CALLBACK_PATH,
  MAIL_OAUTH_STATE_TTL_MS,
  type MailOAuthDeps,
  MailOAuthError,
  type MailOAuthFailure,
  mailOAuthAppRedirect,
  mailOAuthRedirectUri,
  startMailOAuth,
} from "./connect.ts";
export {
  imapOptionsWithAuth,
  isMailAuthFailure,
  MAIL_OAUTH_REFRESH_MARGIN_MS,
  type MailAuth,
  type MailSignIn,
  mailSignIn,
  noMailOAuthClients,
  type ResolveMailAuthOptions,
  resolveMailAuth,
  smtpOptionsWithAuth,
  withMailAuth,
} from "./mail-auth.ts";
export {
  type MailOAuthClients,
  type MailOAuthProvider,
  mailOAuthProviderNames,
  mailOAuthScopes,
  oauthMailServers,
} from "./providers.ts";
export { revokeMailOAuth } from "./revoke.ts";
export { type MailOAuthTokens, openMailOAuthTokens, sealMailOAuthTokens } from "./tokens.ts";
