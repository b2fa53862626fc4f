import { type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, note, paragraph, textAction } from "../layout.ts";

// Registration answers the same whether or not the address is taken, so the owner learns of the
// attempt here, with the ways back into the account they already have.
export const accountExists: EmailTemplate<"account-exists"> = {
  subject: "You already have a Tidings account",
  preview: "Someone tried to sign up with this address, which already has an account.",
  html: `${paragraph("Someone, hopefully you, just tried to sign up for Tidings with this email address. It already belongs to an account, so no new account was created.")}
        ${paragraph("If it was you, sign in with your existing account:")}
        ${actionButton("Sign in to Tidings", "signInUrl")}
        ${paragraph("Forgot your password? You can reset it instead:")}
        ${actionButton("Reset my password", "resetUrl")}
        ${note("If you didn't try to sign up, you can ignore this email. Nothing has changed on your account.")}`,
  text: `Someone, hopefully you, just tried to sign up for Tidings with this email address. It already belongs to an account, so no new account was created.

${textAction("If it was you, sign in with your existing account", "signInUrl")}

${textAction("Forgot your password? You can reset it instead", "resetUrl")}

If you didn't try to sign up, you can ignore this email. Nothing has changed on your account.`,
  reason: "You received this email because someone tried to create a Tidings account with this address.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    signInUrl: links.to("/sign-in"),
    resetUrl: links.to("/forgot-password"),
  }),
};
