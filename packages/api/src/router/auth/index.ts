import {
  type AuthenticationResponseJSON,
  acceptInvitation,
  acceptSignUp,
  changePassword,
  checkPasswordResetToken,
  isMfaRequired,
  login,
  logout,
  mfaChallengeEmail,
  passkeyLogin,
  passkeySignInOptions,
  refresh,
  register,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  unlockAccount,
  verifyEmail,
  verifyMfa,
} from "@tidings/auth";
import type { TRPCRouterRecord } from "@trpc/server";
import { AppError } from "../../errors.ts";
import { refreshLimits, signInLimits } from "../../rate-limits.ts";
import {
  acceptInvitationInput,
  changePasswordInput,
  checkPasswordResetTokenInput,
  emailOnlyInput,
  loginInput,
  passkeyLoginInput,
  passkeyOptionsInput,
  refreshInput,
  registerInput,
  resetPasswordInput,
  tokenInput,
  verifyEmailInput,
  verifyMfaInput,
} from "../../schemas.ts";
import { authedProcedure, emailActionLimits, enforceRateLimits, publicProcedure } from "../../trpc.ts";
import { cachedUserView } from "../../user-view-cache.ts";
import { deliverAuthResult } from "./deliver.ts";

const origin = (ctx: { request: { ip: string; userAgent: string | undefined } }) => ({
  ip: ctx.request.ip,
  userAgent: ctx.request.userAgent,
});

const limited = publicProcedure.meta({ ownRateLimits: true });

export const authRouter = {
  // The policy check (with its breach lookup) is paid from the default budget; only a sign-up that
  // will send an email counts against the email limits, so refused passwords do not use them up.
  register: publicProcedure.input(registerInput).mutation(async ({ ctx, input }) => {
    const signUp = await acceptSignUp(ctx.auth, input);
    await emailActionLimits(ctx, input.email);
    return register(ctx.auth, signUp, origin(ctx));
  }),

  verifyEmail: publicProcedure.input(verifyEmailInput).mutation(async ({ ctx, input }) => {
    const result = await verifyEmail(ctx.auth, input.token, origin(ctx));
    return deliverAuthResult(ctx, result, input.refreshTokenTransport);
  }),

  login: limited.input(loginInput).mutation(async ({ ctx, input }) => {
    await enforceRateLimits(ctx, signInLimits(ctx.request.ip, input.email));
    const result = await login(ctx.auth, input, origin(ctx));
    // Two-factor on: the second step's token only; no session, no cookie yet.
    if (isMfaRequired(result)) return result;
    return deliverAuthResult(ctx, result, input.refreshTokenTransport);
  }),

  // The second step counts against the very limits of the first (S33): per address, and per
  // address and account, so guessing codes costs what guessing passwords costs.
  verifyMfa: limited.input(verifyMfaInput).mutation(async ({ ctx, input }) => {
    const email = await mfaChallengeEmail(ctx.auth, input.mfaToken);
    await enforceRateLimits(
      ctx,
      email ? signInLimits(ctx.request.ip, email) : [{ rule: "loginIp", key: ctx.request.ip }],
    );
    // The schema bounds the assertion's fields; the WebAuthn verification checks what they say.
    const factor = input.passkey
      ? { passkey: input.passkey as AuthenticationResponseJSON }
      : input.code !== undefined
        ? { code: input.code }
        : { recoveryCode: input.recoveryCode ?? "" };
    const result = await verifyMfa(ctx.auth, { mfaToken: input.mfaToken, factor }, origin(ctx));
    return deliverAuthResult(ctx, result, input.refreshTokenTransport);
  }),

  // Options for a passkey prompt: passwordless, or (with `mfaToken`) the second step of a sign-in.
  passkeyOptions: publicProcedure
    .input(passkeyOptionsInput)
    .mutation(({ ctx, input }) => passkeySignInOptions(ctx.auth, input)),

  // Passwordless sign-in: no account is named, so the per-address sign-in limit is the one that applies.
  passkeyLogin: limited.input(passkeyLoginInput).mutation(async ({ ctx, input }) => {
    await enforceRateLimits(ctx, [{ rule: "loginIp", key: ctx.request.ip }]);
    const response = input.response as AuthenticationResponseJSON;
    const result = await passkeyLogin(ctx.auth, { response }, origin(ctx));
    return deliverAuthResult(ctx, result, input.refreshTokenTransport);
  }),

  refresh: limited.input(refreshInput).mutation(async ({ ctx, input }) => {
    const fromCookie = !input.refreshToken;
    const token = input.refreshToken ?? ctx.request.refreshCookie.read();
    if (!token) throw new AppError("TOKEN_INVALID", "Sign in again");
    // A cookie rides along on cross-site requests; only our own pages can add this proof (S17).
    if (fromCookie && !ctx.request.csrfProof) throw new AppError("FORBIDDEN", "Missing CSRF header");
    await enforceRateLimits(ctx, await refreshLimits(ctx.db, token, ctx.request.ip));
    const result = await refresh(ctx.auth, token, origin(ctx)).catch((error: unknown) => {
      if (fromCookie) ctx.request.refreshCookie.clear();
      throw error;
    });
    return deliverAuthResult(ctx, result, input.refreshTokenTransport ?? (fromCookie ? "cookie" : "body"));
  }),

  logout: authedProcedure.mutation(async ({ ctx }) => {
    await logout(ctx.auth, ctx.principal, origin(ctx));
    ctx.request.refreshCookie.clear();
    return { status: "ok" as const };
  }),

  resendVerification: limited.input(emailOnlyInput).mutation(async ({ ctx, input }) => {
    await emailActionLimits(ctx, input.email);
    return resendVerification(ctx.auth, input.email);
  }),

  requestPasswordReset: limited.input(emailOnlyInput).mutation(async ({ ctx, input }) => {
    await emailActionLimits(ctx, input.email);
    return requestPasswordReset(ctx.auth, input.email, origin(ctx));
  }),

  // A query: it reads the link and leaves it usable; the default per-address limit applies, as to
  // the procedures that spend a link.
  checkPasswordResetToken: publicProcedure
    .input(checkPasswordResetTokenInput)
    .query(({ ctx, input }) => checkPasswordResetToken(ctx.auth, input.token)),

  resetPassword: publicProcedure
    .input(resetPasswordInput)
    .mutation(({ ctx, input }) => resetPassword(ctx.auth, input, origin(ctx))),

  // The default per-address limit applies; the link is 256 bits, single use, so there is nothing to guess.
  acceptInvitation: publicProcedure.input(acceptInvitationInput).mutation(async ({ ctx, input }) => {
    const result = await acceptInvitation(ctx.auth, input, origin(ctx));
    return deliverAuthResult(ctx, result, input.refreshTokenTransport);
  }),

  unlockAccount: publicProcedure
    .input(tokenInput)
    .mutation(({ ctx, input }) => unlockAccount(ctx.auth, input.token, origin(ctx))),

  changePassword: authedProcedure
    .input(changePasswordInput)
    .mutation(({ ctx, input }) => changePassword(ctx.auth, ctx.principal, input, origin(ctx))),

  me: authedProcedure.query(async ({ ctx }) => {
    const user = await cachedUserView(ctx.db, ctx.principal.userId);
    if (!user) throw new AppError("TOKEN_INVALID", "Sign in again");
    return user;
  }),
} satisfies TRPCRouterRecord;
