import { disableTotp, enableTotp, mfaStatus, regenerateRecoveryCodes, setupTotp } from "@tidings/auth";
import type { TRPCRouterRecord } from "@trpc/server";
import { disableTotpInput, passwordOnlyInput, totpCodeInput } from "../schemas.ts";
import { authedProcedure } from "../trpc.ts";

const origin = (ctx: { request: { ip: string; userAgent: string | undefined } }) => ({
  ip: ctx.request.ip,
  userAgent: ctx.request.userAgent,
});

/** Two-factor settings of the signed-in user; the rules live in @tidings/auth (S33, S35). */
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
} satisfies TRPCRouterRecord;
