import { type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, paragraph, textAction } from "../layout.ts";

export const welcome: EmailTemplate<"welcome"> = {
  subject: "Welcome to Tidings",
  preview: "Your email address is confirmed and your account is ready.",
  html: `${paragraph("Welcome to Tidings! Your email address is confirmed and your account is ready to use.")}
        ${actionButton("Open Tidings", "appUrl")}
        ${paragraph("Glad to have you with us.")}`,
  text: `Welcome to Tidings! Your email address is confirmed and your account is ready to use.

${textAction("Open Tidings", "appUrl")}

Glad to have you with us.`,
  reason: "You received this email because you just confirmed your email address for a Tidings account.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    appUrl: links.to("/"),
  }),
};
