import { activityValues, type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, activityDetails, note, paragraph, textAction, textActivityDetails } from "../layout.ts";

export const newSignIn: EmailTemplate<"new-sign-in"> = {
  subject: "New sign-in to your Tidings account",
  preview: "Your account was signed in to from a device we haven't seen before.",
  html: `${paragraph("Your Tidings account was just signed in to from a device we haven't seen before.")}
        ${activityDetails}
        ${paragraph("If this was you, you can ignore this email. If not, sign that device out and change your password.")}
        ${actionButton("Review your sessions", "sessionsUrl")}
        ${note("A new browser or a cleared cookie also counts as a new device.")}`,
  text: `Your Tidings account was just signed in to from a device we haven't seen before.

${textActivityDetails}

If this was you, you can ignore this email. If not, sign that device out and change your password.

${textAction("Review your sessions", "sessionsUrl")}

A new browser or a cleared cookie also counts as a new device.`,
  reason: "You received this security notice because your Tidings account was signed in to from a new device.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    ...activityValues(data),
    sessionsUrl: links.to("/settings/sessions"),
  }),
};
