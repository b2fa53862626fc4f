import { activityValues, type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, activityDetails, paragraph, textAction, textActivityDetails } from "../layout.ts";

export const passwordChanged: EmailTemplate<"password-changed"> = {
  subject: "Your Tidings password was changed",
  preview: "The password of your Tidings account was just changed.",
  html: `${paragraph("The password of your Tidings account was just changed.")}
        ${activityDetails}
        ${paragraph("If this was you, there's nothing else to do.")}
        ${paragraph("<strong>Wasn't you?</strong> Someone else may have access to your account. Reset your password right away:")}
        ${actionButton("Reset my password", "resetUrl")}`,
  text: `The password of your Tidings account was just changed.

${textActivityDetails}

If this was you, there's nothing else to do.

${textAction("Wasn't you? Someone else may have access to your account. Reset your password right away", "resetUrl")}`,
  reason:
    "You received this security notice because the password of your Tidings account changed. We always send it, so you hear about every change.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    ...activityValues(data),
    resetUrl: links.to("/forgot-password"),
  }),
};
