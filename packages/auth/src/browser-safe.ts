// What the browser app shares with the server, so both apply the same rules: the password
// policy's checks that need no server (the strength meter judges by exactly these) and the list
// of security event types (the API's input schemas, which the web app's forms use, name them).
// Nothing here may import Node-only code at run time (hashing, the breach check, the database):
// this module is bundled into the web app.
export { type AuditEventType, auditEventTypes } from "./audit.ts";
export { normalizePassword } from "./password/normalize-password.ts";
export { countCodePoints, maximumPasswordLength, minimumPasswordLength } from "./password/password-length.ts";
export { type PasswordProblem, passwordProblemMessages } from "./password/password-problems.ts";
export { estimatedPrefixLength, maximumL33tSubstitutions, minimumStrengthScore } from "./password/password-strength.ts";
export { containsPersonalInfo, type PasswordOwner, personalInputs } from "./password/personal-info.ts";
