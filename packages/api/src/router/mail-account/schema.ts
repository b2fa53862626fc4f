import { z } from "zod";
import { plainText, wellFormedText } from "../text-input.ts";

// The mailAccount inputs (API.md `ServerSettings` and the procedures' inputs). Browser-safe: the web
// app's account form checks what it sends with these very schemas (through `@tidings/api/schemas`).

const mailAddress = z
  .string()
  .trim()
  .min(1, "Enter the mailbox's email address")
  .max(320, "Use at most 320 characters")
  .pipe(z.email("Enter a valid email address"));

// Host names and address literals are judged by the address guard (S24), which also refuses
// numeric spellings such as 2130706433 with HOST_NOT_ALLOWED; here only length and printability.
const host = plainText(255).pipe(
  z.string().min(1, "Enter the server's host name").regex(/^\S+$/, "A host name has no spaces"),
);
const port = z
  .number({ error: "Enter the port as a number" })
  .int("Enter a whole port number")
  .min(1, "Ports go from 1 to 65535")
  .max(65_535, "Ports go from 1 to 65535");
const security = z.enum(["tls", "starttls", "none"], { error: 'Choose "tls", "starttls" or "none"' });
const username = plainText(320).pipe(z.string().min(1, "Enter the user name (often the email address)"));
const mailPassword = wellFormedText(1024).pipe(z.string().min(1, "Enter the password or app password"));

/** API.md `ServerSettings`: one side (IMAP or SMTP) as the user enters it. */
export const mailServerSettings = z.object({ host, port, security, username, password: mailPassword });
/** On update, a missing password means "keep the stored one". */
export const mailServerSettingsUpdate = mailServerSettings.extend({ password: mailPassword.optional() });

const syncDays = z
  .number()
  .int("Enter a whole number of days")
  .min(1, "Sync at least 1 day")
  .max(36_500, "Sync at most 36500 days");

export const mailAccountTestInput = z.object({
  email: mailAddress,
  imap: mailServerSettings,
  smtp: mailServerSettings,
});

export const mailAccountAddInput = mailAccountTestInput.extend({
  displayName: plainText(100).nullish(),
  syncDays: syncDays.optional(),
});

export const mailAccountIdInput = z.object({ accountId: z.uuid("Not a mail account id") });

export const mailAccountUpdateInput = mailAccountIdInput.extend({
  displayName: plainText(100).nullish(),
  imap: mailServerSettingsUpdate.optional(),
  smtp: mailServerSettingsUpdate.optional(),
  paused: z.boolean().optional(),
  syncDays: syncDays.optional(),
  aiEnabled: z.boolean().optional(),
});

export type MailServerSettingsInput = z.infer<typeof mailServerSettings>;
export type MailServerSettingsUpdateInput = z.infer<typeof mailServerSettingsUpdate>;
