import { z } from "zod";

// Browser-safe: re-exported from ../../schemas.ts for the web app's "Sign in with ..." buttons.
export const mailOAuthProviders = ["google", "microsoft"] as const;

export const mailAccountOAuthStartInput = z.object({
  provider: z.enum(mailOAuthProviders, { error: 'Choose "google" or "microsoft"' }),
});
