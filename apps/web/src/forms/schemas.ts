import { z } from "zod";

// The server's own input schemas, so a form refuses exactly what the API would.
export {
  changePasswordInput,
  emailOnlyInput,
  loginInput,
  registerInput,
  resetPasswordInput,
} from "../../../../packages/api/src/router/auth/schemas.ts";

/** account.updateProfile's input; the router declares it inline, so it is restated here with the same bounds. */
export const updateProfileInput = z.object({
  displayName: z.string().trim().min(1, "Enter a name").max(100, "Use at most 100 characters"),
});
