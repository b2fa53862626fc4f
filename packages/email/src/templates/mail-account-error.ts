import { type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, note, paragraph, textAction } from "../layout.ts";

// Sent once per error, an hour after a mailbox stopped syncing: long enough that a server blip
// or a restart never causes it, soon enough that the user is not left with a stale inbox.
export const mailAccountError: EmailTemplate<"mail-account-error"> = {
  subject: "Tidings stopped syncing {{accountEmail}}",
  preview: "We could not reach your mailbox for over an hour. Check its settings.",
  html: `${paragraph("Tidings has not been able to sync your mailbox <strong>{{accountEmail}}</strong> for over an hour. New mail to it will not show up in Tidings until this is fixed.")}
        ${paragraph("What the mail server said: {{reason}}")}
        ${actionButton("Check the mailbox settings", "settingsUrl")}
        ${note("If you changed the password of this mailbox or its app password was revoked, enter the new one in the settings. Tidings does not keep retrying a refused password, so your provider will not lock the mailbox.")}`,
  text: `Tidings has not been able to sync your mailbox {{accountEmail}} for over an hour. New mail to it will not show up in Tidings until this is fixed.

What the mail server said: {{reason}}

${textAction("Check the mailbox settings", "settingsUrl")}

If you changed the password of this mailbox or its app password was revoked, enter the new one in the settings. Tidings does not keep retrying a refused password, so your provider will not lock the mailbox.`,
  reason: "You received this email because a mailbox you connected to Tidings stopped syncing.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    accountEmail: data.accountEmail,
    reason: data.reason,
    settingsUrl: links.to("/settings/mail"),
  }),
};
