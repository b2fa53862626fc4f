import { type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, note, paragraph, textAction } from "../layout.ts";

export const invitation: EmailTemplate<"invitation"> = {
  subject: "{{inviterName}} invited you to Tidings",
  preview: "{{inviterName}} invited you to join them on Tidings.",
  html: `${paragraph("<strong>{{inviterName}}</strong> invited you to join them on Tidings.")}
        ${actionButton("Accept invitation", "acceptUrl")}
        ${note("This invitation expires in 7 days.")}`,
  text: `{{inviterName}} invited you to join them on Tidings.

${textAction("Accept the invitation", "acceptUrl")}

This invitation expires in 7 days.`,
  reason:
    "You received this email because {{inviterName}} invited this address to Tidings. If you don't want to join, ignore it and no account will be created.",
  values: (data, links) => ({
    // The invitee has no account yet, so there is no name of theirs to greet.
    greeting: greeting(null),
    inviterName: data.inviterName,
    acceptUrl: links.withToken("/accept-invite", data.token),
  }),
};
