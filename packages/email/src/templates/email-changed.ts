import { activityValues, type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, activityDetails, paragraph, textAction, textActivityDetails } from "../layout.ts";

export const emailChanged: EmailTemplate<"email-changed"> = {
  subject: "Your Tidings email address was changed",
  preview: "Your Tidings account now signs in with a different address.",
  html: `${paragraph("The email address of your Tidings account was changed to <strong>{{newEmail}}</strong>. This address no longer signs in.")}
        ${activityDetails}
        ${paragraph("<strong>Wasn't you?</strong> Someone else may have access to your account. Contact your administrator right away.")}
        ${actionButton("Open Tidings", "appUrl")}`,
  text: `The email address of your Tidings account was changed to {{newEmail}}. This address no longer signs in.

${textActivityDetails}

${textAction("Wasn't you? Someone else may have access to your account. Contact your administrator right away", "appUrl")}`,
  reason:
    "You received this security notice because the email address of your Tidings account changed. We always send it to the old address.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    ...activityValues(data),
    newEmail: data.newEmail,
    appUrl: links.to("/"),
  }),
};
