import { MailError, startMailOAuth } from "@tidings/mail";
import type { TRPCRouterRecord } from "@trpc/server";
import { AppError } from "../../errors.ts";
import { verifiedProcedure } from "../../trpc.ts";
import { mailAccountOAuthStartInput } from "./schema.ts";

/**
 * The OAuth2 procedures of `mailAccount`, spread into that router. The callback that finishes the
 * flow is an HTTP route (apps/server, GET /oauth/mail/callback): the provider sends the browser
 * there, without our access token.
 */
export const mailAccountOAuthProcedures = {
  oauthStart: verifiedProcedure.input(mailAccountOAuthStartInput).mutation(async ({ ctx, input }) => {
    try {
      return await startMailOAuth(
        {
          db: ctx.db,
          encryptionKey: ctx.auth.sessions.encryptionKey,
          clients: ctx.config.mail.oauth,
          appUrl: ctx.config.appUrl,
        },
        { userId: ctx.user.id, provider: input.provider },
      );
    } catch (error) {
      if (error instanceof MailError && error.reason === "oauth-not-configured") {
        throw new AppError("FORBIDDEN", error.message, { provider: input.provider });
      }
      if (error instanceof MailError && error.code === "MAIL_CONNECTION_FAILED") {
        throw new AppError("MAIL_CONNECTION_FAILED", error.message, { provider: input.provider, reason: error.reason });
      }
      throw error;
    }
  }),
} satisfies TRPCRouterRecord;
