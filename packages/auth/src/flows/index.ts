export { authenticate, type Principal } from "./authenticate.ts";
export type { AuthDeps, AuthEmail } from "./deps.ts";
export { AuthFailure, type AuthFailureCode } from "./failure.ts";
export { login } from "./login.ts";
export { logout } from "./logout.ts";
export { refresh } from "./refresh.ts";
export { register } from "./register.ts";
export { verifyEmail } from "./verify-email.ts";
export { type AuthResult, type SessionView, toSessionView, toUserView, type UserView } from "./views.ts";
