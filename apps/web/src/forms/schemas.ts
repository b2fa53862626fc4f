// The server's own input schemas, so a form refuses exactly what the API would.
export {
  changePasswordInput,
  emailOnlyInput,
  loginInput,
  registerInput,
  resetPasswordInput,
  updateProfileInput,
} from "@tidings/api/schemas";
