// The browser-safe entry: the web app bundles these schemas, and the main entry pulls in argon2.
import { auditEventTypes } from "@tidings/auth/browser-safe";
import { z } from "zod";
import { plainText, wellFormedText } from "./router/text-input.ts";

// Every procedure's input, named, so the web app validates forms with the very schemas the server
// applies (`@tidings/api/schemas`) and the OpenAPI document can describe them.

// Bounds on every string (S18). Passwords are checked for length by the policy after NFKC; this
// cap only keeps absurd inputs from reaching argon2.
// Every message is written for the person filling in the form: the web app shows them as they are.
export const email = z
  .string()
  .trim()
  .min(1, "Enter your email address")
  .min(3, "Enter a valid email address")
  .max(320, "Use at most 320 characters")
  .pipe(z.email("Enter a valid email address"));
export const password = z.string().min(1, "Enter your password").max(1024, "Use at most 1024 characters");
export const newPassword = wellFormedText(1024).pipe(z.string().min(1, "Choose a password"));
export const displayName = plainText(100).nullish();
export const oneTimeToken = z.string().min(16).max(512);
const transport = z.enum(["cookie", "body"]);
export const refreshTokenTransport = transport.default("cookie");

export const registerInput = z.object({ email, password: newPassword, displayName });
export const verifyEmailInput = z.object({ token: oneTimeToken, refreshTokenTransport });
export const loginInput = z.object({ email, password, refreshTokenTransport });
export const refreshInput = z
  .object({
    refreshToken: z.string().min(16).max(512).optional(),
    // No default here: the answer goes back the way the token came unless the caller says otherwise.
    refreshTokenTransport: transport.optional(),
  })
  .default({});

export const emailOnlyInput = z.object({ email });
export const resetPasswordInput = z.object({ token: oneTimeToken, newPassword });
export const tokenInput = z.object({ token: oneTimeToken });
export const checkPasswordResetTokenInput = tokenInput;
export const changePasswordInput = z.object({
  currentPassword: password,
  newPassword,
  revokeOtherSessions: z.boolean().default(true),
});

export const updateProfileInput = z.object({ displayName: plainText(100).pipe(z.string().min(1, "Enter a name")) });

const eventCursor = z
  .string()
  .regex(/^\d{1,18}$/)
  .optional();
const pageLimit = z.number().int().min(1).max(100).default(20);
export const pageInput = z.object({ cursor: eventCursor, limit: pageLimit }).default({ limit: 20 });

export const sessionIdInput = z.object({ sessionId: z.uuid() });

export const userIdInput = z.object({ userId: z.uuid() });
/** `admin.users.list` pages: the last row's creation time in microseconds since 1970, and its id. */
const userCursor = z.string().regex(/^\d{1,17}_[0-9a-f-]{36}$/, "Not a cursor from a previous page");
export const listUsersInput = z
  .object({ query: plainText(320).optional(), cursor: userCursor.optional(), limit: pageLimit })
  .default({ limit: 20 });
export const setUserDisabledInput = z.object({ userId: z.uuid(), disabled: z.boolean() });
export const listEventsInput = z
  .object({
    userId: z.uuid().optional(),
    type: z.enum(auditEventTypes).optional(),
    cursor: eventCursor,
    limit: pageLimit,
  })
  .default({ limit: 20 });

export const devMailboxListInput = z
  .object({ limit: z.number().int().min(1).max(200).default(50) })
  .default({ limit: 50 });
export const idInput = z.object({ id: z.uuid() });
export const sendTestEmailInput = z.object({ to: z.email().max(320) });

// What a corrected analysis gives as its reasons; the web app shows the same before the server answers.
export { correctionReasons } from "./router/ai/correction.ts";
export { mailContactsInput, mailForgetSearchInput, mailRecordSearchInput } from "./router/mail/lookup-schema.ts";
export {
  mailCategories,
  mailEventsInput,
  mailFolderRoles,
  mailFoldersInput,
  mailPriorities,
  mailRemoteContentSenderInput,
  mailThreadInput,
  mailThreadsInput,
  mailUpdateInput,
} from "./router/mail/schema.ts";
export {
  mailAccountAddInput,
  mailAccountIdInput,
  mailAccountTestInput,
  mailAccountUpdateInput,
  mailServerSettings,
  mailServerSettingsUpdate,
} from "./router/mail-account/schema.ts";
export { mailAccountOAuthStartInput, mailOAuthProviders } from "./router/mail-account-oauth/schema.ts";

// Account protection (API.md, "Account protection").
const totpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app");
const recoveryCode = z.string().trim().min(1, "Enter a recovery code").max(64, "Use at most 64 characters");
// WebAuthn answers as the browser library (@simplewebauthn/browser) sends them: base64url fields,
// bounded; their content is checked by the verification itself (S34).
const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, "Not base64url");
const webauthnCredential = {
  id: base64url(1366),
  rawId: base64url(1366),
  type: z.literal("public-key"),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  // Extension outputs are not used; the common ones are bounded, any other member is dropped.
  clientExtensionResults: z
    .object({
      appid: z.boolean().optional(),
      credProps: z.object({ rk: z.boolean().optional() }).optional(),
      hmacCreateSecret: z.boolean().optional(),
    })
    .default({}),
};
export const passkeyAssertion = z.object({
  ...webauthnCredential,
  response: z.object({
    clientDataJSON: base64url(8192),
    authenticatorData: base64url(8192),
    signature: base64url(2048),
    userHandle: base64url(128).optional(),
  }),
});
export const passkeyAttestation = z.object({
  ...webauthnCredential,
  response: z.object({
    clientDataJSON: base64url(8192),
    attestationObject: base64url(65536),
    authenticatorData: base64url(65536).optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKey: base64url(8192).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
  }),
});

export const verifyMfaInput = z
  .object({
    mfaToken: z.string().min(16).max(512),
    code: totpCode.optional(),
    recoveryCode: recoveryCode.optional(),
    /** A passkey's answer to `auth.passkeyOptions({ mfaToken })`. */
    passkey: passkeyAssertion.optional(),
    refreshTokenTransport,
  })
  .refine(
    (input) => [input.code, input.recoveryCode, input.passkey].filter((factor) => factor !== undefined).length === 1,
    {
      message: "Enter either a code from your authenticator app or a recovery code",
      path: ["code"],
    },
  );
/** Without `mfaToken`: passwordless sign-in. With it: the second step of that sign-in. */
export const passkeyOptionsInput = z.object({ mfaToken: z.string().min(16).max(512).optional() }).default({});
export const passkeyLoginInput = z.object({ response: passkeyAssertion, refreshTokenTransport });
/** The name of a passkey, alone: what the web form asks before the browser's prompt. */
export const passkeyNameInput = z.object({ name: plainText(64).pipe(z.string().min(1, "Name this passkey")) });
export const registerPasskeyInput = passkeyNameInput.extend({ response: passkeyAttestation });
export const passkeyIdInput = z.object({ passkeyId: z.uuid() });
export const totpCodeInput = z.object({ code: totpCode });
/** A current code, or a recovery code when the phone is gone. */
export const disableTotpInput = z.object({ password, code: recoveryCode });
export const passwordOnlyInput = z.object({ password });

export const createInvitationInput = z.object({ email, role: z.enum(["user", "admin"]).default("user") });
export const invitationIdInput = z.object({ invitationId: z.uuid() });
export const listInvitationsInput = z
  .object({ cursor: userCursor.optional(), limit: pageLimit })
  .default({ limit: 20 });
export const acceptInvitationInput = z.object({
  token: oneTimeToken,
  password: newPassword,
  displayName,
  refreshTokenTransport,
});

/** `code`: S35 asks for a second factor too when two-factor is on (a current code or a recovery code). */
export const changeEmailInput = z.object({ newEmail: email, password, code: recoveryCode.optional() });
export const deleteAccountInput = z.object({ password, code: recoveryCode.optional() });

export { aiSettingsUpdateInput, aiTestProviderInput, aiUsageInput } from "./router/ai/schema.ts";
export {
  attachmentUrlInput,
  cancelSendInput,
  recipientInput,
  saveDraftInput,
  sendMailInput,
} from "./router/mail-send/schema.ts";
