import { activityValues, type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, activityDetails, note, paragraph, textAction, textActivityDetails } from "../layout.ts";

// A reused refresh token means a copy of it may exist somewhere else; the server has already
// ended the session, and this tells the owner why they were signed out and what to check.
export const refreshReuse: EmailTemplate<"refresh-reuse"> = {
  subject: "We signed out a session on your Tidings account",
  preview: "A sign-in token of yours was used twice, so we ended that session.",
  html: `${paragraph("A sign-in token for your Tidings account was used again after it had already been replaced. That can mean it was copied from your device, so we signed that session out to protect your account.")}
        ${activityDetails}
        ${paragraph("You may need to sign in again on that device. Check your active sessions for any you don't recognize:")}
        ${actionButton("Review your sessions", "sessionsUrl")}
        ${note("If you see activity that wasn't you, change your password.")}`,
  text: `A sign-in token for your Tidings account was used again after it had already been replaced. That can mean it was copied from your device, so we signed that session out to protect your account.

${textActivityDetails}

You may need to sign in again on that device. Check your active sessions for any you don't recognize.

${textAction("Review your sessions", "sessionsUrl")}

If you see activity that wasn't you, change your password.`,
  reason: "You received this security notice because we ended a session on your Tidings account to protect it.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    ...activityValues(data),
    sessionsUrl: links.to("/settings/sessions"),
  }),
};
