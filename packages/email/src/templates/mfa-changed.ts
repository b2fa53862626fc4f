import { activityValues, type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, activityDetails, paragraph, textAction, textActivityDetails } from "../layout.ts";
import type { TemplateData } from "../schemas.ts";

const what: Record<TemplateData<"mfa-changed">["change"], string> = {
  totp_enabled: "Two-factor sign-in with an authenticator app was turned on",
  totp_disabled: "Two-factor sign-in with an authenticator app was turned off",
  recovery_codes_regenerated: "New recovery codes were made; the old ones no longer work",
  passkey_added: "A passkey was added",
  passkey_removed: "A passkey was removed",
};

export const mfaChanged: EmailTemplate<"mfa-changed"> = {
  subject: "Two-factor sign-in changed on your Tidings account",
  preview: "{{change}}.",
  html: `${paragraph("{{change}} on your Tidings account.")}
        ${activityDetails}
        ${paragraph("If this was you, there's nothing else to do.")}
        ${paragraph("<strong>Wasn't you?</strong> Someone may have your password. Review your security settings and change your password right away:")}
        ${actionButton("Review security", "securityUrl")}`,
  text: `{{change}} on your Tidings account.

${textActivityDetails}

If this was you, there's nothing else to do.

${textAction("Wasn't you? Someone may have your password. Review your security settings and change your password right away", "securityUrl")}`,
  reason:
    "You received this security notice because the two-factor settings of your Tidings account changed. We always send it, so you hear about every change.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    ...activityValues(data),
    change: what[data.change],
    securityUrl: links.to("/settings/security"),
  }),
};
