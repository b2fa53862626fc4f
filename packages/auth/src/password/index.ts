// Password hashing (argon2id) and the policy for choosing a new password.
export { dummyVerify } from "./dummy-verify.ts";
export { passwordHashParameters } from "./hash-parameters.ts";
export { hashPassword, needsRehash, verifyPassword } from "./hash-password.ts";
export { normalizePassword } from "./normalize-password.ts";
export {
  checkPasswordPolicy,
  type PasswordCheck,
  type PasswordPolicyOptions,
  type PasswordProblem,
} from "./password-policy.ts";
export type { PasswordOwner } from "./personal-info.ts";
