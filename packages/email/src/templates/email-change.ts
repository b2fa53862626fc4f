import { type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, note, paragraph, textAction } from "../layout.ts";

export const emailChange: EmailTemplate<"email-change"> = {
  subject: "Confirm your new Tidings email address",
  preview: "Confirm this address to make it the one you sign in with.",
  html: `${paragraph("Someone asked to make this the email address of a Tidings account. Confirm it to sign in with it from now on:")}
        ${actionButton("Confirm new address", "confirmUrl")}
        ${note("This link expires in 24 hours. Until it is used, nothing changes.")}`,
  text: `Someone asked to make this the email address of a Tidings account. Confirm it to sign in with it from now on:

${textAction("Confirm the new address", "confirmUrl")}

This link expires in 24 hours. Until it is used, nothing changes.`,
  reason:
    "You received this email because this address was entered as the new address of a Tidings account. If it wasn't you, ignore it and nothing will change.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    confirmUrl: links.withToken("/confirm-email-change", data.token),
  }),
};
