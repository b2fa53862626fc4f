import { type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, note, paragraph, textAction } from "../layout.ts";

export const accountLocked: EmailTemplate<"account-locked"> = {
  subject: "Your Tidings account has been locked",
  preview: "After several failed sign-in attempts we locked your account. Unlock it here.",
  html: `${paragraph("We locked your Tidings account after several failed attempts to sign in to it. This keeps anyone guessing your password out.")}
        ${actionButton("Unlock my account", "unlockUrl")}
        ${note("This link expires in 24 hours and can be used once.")}
        ${note("If the failed attempts weren't you, someone may be trying to get into your account. Choose a new, unique password after unlocking it.")}`,
  text: `We locked your Tidings account after several failed attempts to sign in to it. This keeps anyone guessing your password out.

${textAction("Unlock your account", "unlockUrl")}

This link expires in 24 hours and can be used once.

If the failed attempts weren't you, someone may be trying to get into your account. Choose a new, unique password after unlocking it.`,
  reason: "You received this security notice because your Tidings account was locked after failed sign-in attempts.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    unlockUrl: links.withToken("/unlock-account", data.token),
  }),
};
