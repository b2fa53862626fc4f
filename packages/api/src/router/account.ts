import { confirmEmailChange, deleteAccount, issueExportLink, requestEmailChange, toUserView } from "@tidings/auth";
import { listAuditEvents, setDisplayName } from "@tidings/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { changeEmailInput, deleteAccountInput, pageInput, tokenInput, updateProfileInput } from "../schemas.ts";
import { authedProcedure, emailActionLimits, publicProcedure } from "../trpc.ts";
import { forgetUserView } from "../user-view-cache.ts";
import { toSecurityEvent } from "./security-event-view.ts";

const origin = (ctx: { request: { ip: string; userAgent: string | undefined } }) => ({
  ip: ctx.request.ip,
  userAgent: ctx.request.userAgent,
});

export const accountRouter = {
  updateProfile: authedProcedure.input(updateProfileInput).mutation(async ({ ctx, input }) => {
    const user = await setDisplayName(ctx.db, ctx.principal.userId, input.displayName);
    forgetUserView(ctx.db, user.id);
    return toUserView(user);
  }),

  /** The caller's own audit trail, newest first; `nextCursor` pages back in time. */
  securityEvents: authedProcedure.input(pageInput).query(async ({ ctx, input }) => {
    const page = await listAuditEvents(ctx.db, {
      userId: ctx.principal.userId,
      cursor: input.cursor,
      limit: input.limit,
    });
    return { items: page.items.map(toSecurityEvent), nextCursor: page.nextCursor };
  }),

  // Sends an email, so it spends the email budget of the new address (and of the caller's address).
  changeEmail: authedProcedure.input(changeEmailInput).mutation(async ({ ctx, input }) => {
    await emailActionLimits(ctx, input.newEmail);
    return requestEmailChange(ctx.auth, ctx.principal, input);
  }),

  /** Public: the link may be opened signed out, or on another device. */
  confirmEmailChange: publicProcedure.input(tokenInput).mutation(async ({ ctx, input }) => {
    const { userId } = await confirmEmailChange(ctx.auth, input.token, origin(ctx));
    forgetUserView(ctx.db, userId);
    ctx.request.refreshCookie.clear();
    return { status: "ok" as const };
  }),

  delete: authedProcedure.input(deleteAccountInput).mutation(async ({ ctx, input }) => {
    const result = await deleteAccount(ctx.auth, ctx.principal, input, origin(ctx));
    forgetUserView(ctx.db, ctx.principal.userId);
    ctx.request.refreshCookie.clear();
    return result;
  }),

  /** A 5-minute link to `GET /exports/:token`, which answers the caller's data as a JSON download. */
  export: authedProcedure.mutation(async ({ ctx }) => {
    const { token, expiresAt } = await issueExportLink(ctx.auth, ctx.principal);
    const base = ctx.config.appUrl.replace(/\/+$/, "");
    return { url: `${base}/exports/${encodeURIComponent(token)}`, expiresAt };
  }),
} satisfies TRPCRouterRecord;
