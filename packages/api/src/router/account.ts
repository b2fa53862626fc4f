import { toUserView } from "@tidings/auth";
import { listAuditEvents, sql } from "@tidings/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { pageInput, updateProfileInput } from "../schemas.ts";
import { authedProcedure } from "../trpc.ts";
import { forgetUserView } from "../user-view-cache.ts";
import { toSecurityEvent } from "./security-event-view.ts";

export const accountRouter = {
  updateProfile: authedProcedure.input(updateProfileInput).mutation(async ({ ctx, input }) => {
    const user = await ctx.db
      .updateTable("users")
      .set({ display_name: input.displayName, updated_at: sql`now()` })
      .where("id", "=", ctx.principal.userId)
      .returningAll()
      .executeTakeFirstOrThrow();
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
} satisfies TRPCRouterRecord;
