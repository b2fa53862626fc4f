// The server's own input schemas, so a form refuses exactly what the API would.
export {
  acceptInvitationInput,
  changeEmailInput,
  changePasswordInput,
  createInvitationInput,
  deleteAccountInput,
  disableTotpInput,
  emailOnlyInput,
  loginInput,
  passkeyNameInput,
  passwordOnlyInput,
  registerInput,
  resetPasswordInput,
  totpCodeInput,
  updateProfileInput,
} from "@tidings/api/schemas";
