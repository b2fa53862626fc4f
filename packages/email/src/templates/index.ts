import type { EmailTemplate } from "../email-template.ts";
import type { TemplateName } from "../template-names.ts";
import { accountExists } from "./account-exists.ts";
import { accountLocked } from "./account-locked.ts";
import { aiBudget } from "./ai-budget.ts";
import { emailChange } from "./email-change.ts";
import { emailChanged } from "./email-changed.ts";
import { invitation } from "./invitation.ts";
import { mailAccountError } from "./mail-account-error.ts";
import { mfaChanged } from "./mfa-changed.ts";
import { newSignIn } from "./new-sign-in.ts";
import { passwordChanged } from "./password-changed.ts";
import { passwordReset } from "./password-reset.ts";
import { refreshReuse } from "./refresh-reuse.ts";
import { verifyEmail } from "./verify-email.ts";
import { welcome } from "./welcome.ts";

export const emailTemplates: { readonly [T in TemplateName]: EmailTemplate<T> } = {
  "verify-email": verifyEmail,
  "account-exists": accountExists,
  welcome,
  "password-reset": passwordReset,
  "password-changed": passwordChanged,
  "account-locked": accountLocked,
  "new-sign-in": newSignIn,
  "refresh-reuse": refreshReuse,
  invitation,
  "email-change": emailChange,
  "email-changed": emailChanged,
  "mfa-changed": mfaChanged,
  "mail-account-error": mailAccountError,
  "ai-budget": aiBudget,
};
