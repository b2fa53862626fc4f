// The server's own input schemas, so a form refuses exactly what the API would.
export {
  acceptInvitationInput,
  changeEmailInput,
  changePasswordInput,
  createInvitationInput,
  deleteAccountInput,
  emailOnlyInput,
  loginInput,
  passkeyNameInput,
  registerInput,
  resetPasswordInput,
  updateProfileInput,
} from "@tidings/api/schemas";
