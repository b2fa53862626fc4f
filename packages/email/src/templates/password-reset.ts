import { type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, note, paragraph, textAction } from "../layout.ts";

export const passwordReset: EmailTemplate<"password-reset"> = {
  subject: "Reset your Tidings password",
  preview: "Use this link within an hour to choose a new password.",
  html: `${paragraph("We received a request to reset the password of your Tidings account. Choose a new one with the button below.")}
        ${actionButton("Choose a new password", "resetUrl")}
        ${note("This link expires in 1 hour and can be used once. Resetting your password signs you out on all your devices.")}
        ${note("If you didn't ask for a reset, ignore this email. Your password stays as it is.")}`,
  text: `We received a request to reset the password of your Tidings account.

${textAction("Choose a new password", "resetUrl")}

This link expires in 1 hour and can be used once. Resetting your password signs you out on all your devices.

If you didn't ask for a reset, ignore this email. Your password stays as it is.`,
  reason: "You received this email because a password reset was requested for the Tidings account with this address.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    resetUrl: links.withToken("/reset-password", data.token),
  }),
};
