import {
  disableTotp,
  enableTotp,
  mfaStatus,
  passkeyRegistrationOptions,
  type RegistrationResponseJSON,
  regenerateRecoveryCodes,
  registerPasskey,
  removePasskey,
  setupTotp,
} from "@tidings/auth";
import type { TRPCRouterRecord } from "@trpc/server";
import {
  disableTotpInput,
  passkeyIdInput,
  passwordOnlyInput,
  registerPasskeyInput,
  totpCodeInput,
} from "../schemas.ts";
import { authedProcedure } from "../trpc.ts";

const origin = (ctx: { request: { ip: string; userAgent: string | undefined } }) => ({
  ip: ctx.request.ip,
  userAgent: ctx.request.userAgent,
});

/** Two-factor settings of the signed-in user; the rules live in @tidings/auth (S33, S34, S35). */
export const mfaRouter = {
  status: authedProcedure.query(({ ctx }) => mfaStatus(ctx.auth, ctx.principal)),

  totp: {
    setup: authedProcedure.mutation(({ ctx }) => setupTotp(ctx.auth, ctx.principal)),
    enable: authedProcedure
      .input(totpCodeInput)
      .mutation(({ ctx, input }) => enableTotp(ctx.auth, ctx.principal, input, origin(ctx))),
    disable: authedProcedure.input(disableTotpInput).mutation(async ({ ctx, input }) => {
      return disableTotp(ctx.auth, ctx.principal, input, origin(ctx));
    }),
  },

  recoveryCodes: {
    regenerate: authedProcedure
      .input(passwordOnlyInput)
      .mutation(({ ctx, input }) => regenerateRecoveryCodes(ctx.auth, ctx.principal, input, origin(ctx))),
  },

  passkey: {
    registerOptions: authedProcedure.mutation(({ ctx }) => passkeyRegistrationOptions(ctx.auth, ctx.principal)),
    register: authedProcedure.input(registerPasskeyInput).mutation(({ ctx, input }) => {
      // The schema bounds the attestation's fields; the WebAuthn verification checks what they say.
      const response = input.response as RegistrationResponseJSON;
      return registerPasskey(ctx.auth, ctx.principal, { name: input.name, response }, origin(ctx));
    }),
    remove: authedProcedure
      .input(passkeyIdInput)
      .mutation(({ ctx, input }) => removePasskey(ctx.auth, ctx.principal, input, origin(ctx))),
  },
} satisfies TRPCRouterRecord;
