import { z } from "zod";
import type { TemplateName } from "./template-names.ts";

// Control characters in a name could forge lines in the text part or, in a subject, mail headers.
const noControlCharacters = /^[^\p{Cc}]*$/u;

const controlCharacterMessage = "must not contain control characters";

/** Blank counts as "no name": the greeting then falls back to a plain "Hi,". */
const displayName = z.string().max(100).regex(noControlCharacters, controlCharacterMessage).nullish();

const inviterName = z.string().trim().min(1).max(100).regex(noControlCharacters, controlCharacterMessage);

const token = z.string().min(1).max(512);

/**
 * Request metadata is captured from headers, not typed in a form, so it is flattened rather than
 * rejected: a security notice must still go out when a client sends an odd user agent.
 */
const requestText = (maxLength: number) =>
  z
    .string()
    .min(1)
    .max(maxLength)
    .transform((value) => value.replace(/\p{Cc}+/gu, " "));

const activity = {
  displayName,
  at: z.iso.datetime({ offset: true }),
  ip: requestText(64),
  userAgent: requestText(1024),
};

const schemas = {
  "verify-email": z.object({ displayName, token }),
  "account-exists": z.object({ displayName }),
  welcome: z.object({ displayName }),
  "password-reset": z.object({ displayName, token }),
  "password-changed": z.object(activity),
  "account-locked": z.object({ displayName, token }),
  "new-sign-in": z.object(activity),
  "refresh-reuse": z.object(activity),
  invitation: z.object({ inviterName, token }),
  "email-change": z.object({ displayName, token }),
  "email-changed": z.object({ ...activity, newEmail: z.email().max(320) }),
  "mfa-changed": z.object({
    ...activity,
    change: z.enum(["totp_enabled", "totp_disabled", "recovery_codes_regenerated", "passkey_added", "passkey_removed"]),
  }),
  "mail-account-error": z.object({
    displayName,
    accountEmail: z.string().min(1).max(320).regex(noControlCharacters, controlCharacterMessage),
    // The server's refusal as the sync worker recorded it: flattened, never refused.
    reason: requestText(500),
  }),
  "ai-budget": z.object({
    displayName,
    level: z.union([z.literal(80), z.literal(100)]),
    spentUsd: z.number().nonnegative().max(1_000_000),
    budgetUsd: z.number().nonnegative().max(1_000_000),
    resetsOn: z.iso.date(),
  }),
} satisfies Record<TemplateName, z.ZodType>;

/** The data an email needs, after validation. */
export type TemplateData<T extends TemplateName> = z.infer<(typeof schemas)[T]>;

/** The schema `render` validates each email's data with. */
export const templateDataSchemas: { readonly [T in TemplateName]: z.ZodType<TemplateData<T>> } = schemas;
