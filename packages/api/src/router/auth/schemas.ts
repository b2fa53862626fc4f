import { z } from "zod";
import { plainText, wellFormedText } from "../text-input.ts";

// Bounds on every string (S18). Passwords are checked for length by the policy after NFKC; this
// cap only keeps absurd inputs from reaching argon2.
export const email = z.string().trim().min(3).max(320).pipe(z.email("Enter a valid email address"));
export const password = z.string().min(1, "Enter your password").max(1024);
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
export const changePasswordInput = z.object({
  currentPassword: password,
  newPassword,
  revokeOtherSessions: z.boolean().default(true),
});
