import { type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, note, paragraph, textAction } from "../layout.ts";

export const verifyEmail: EmailTemplate<"verify-email"> = {
  subject: "Confirm your email address for Tidings",
  preview: "One click to finish setting up your Tidings account.",
  html: `${paragraph("Thanks for signing up for Tidings. Please confirm that this is your email address to finish setting up your account.")}
        ${actionButton("Confirm email address", "verifyUrl")}
        ${note("This link expires in 24 hours and can be used once.")}`,
  text: `Thanks for signing up for Tidings. Please confirm that this is your email address to finish setting up your account.

${textAction("Confirm your email address", "verifyUrl")}

This link expires in 24 hours and can be used once.`,
  reason:
    "You received this email because this address was used to sign up for Tidings. If that wasn't you, ignore it: without confirmation no account is activated.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    verifyUrl: links.withToken("/verify-email", data.token),
  }),
};
