import { toUserView } from "@tidings/auth";
import { sql } from "@tidings/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { authedProcedure } from "../trpc.ts";

const pageInput = z
  .object({
    cursor: z
      .string()
      .regex(/^\d{1,19}$/)
      .optional(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .default({ limit: 20 });

export const accountRouter = {
  updateProfile: authedProcedure
    .input(z.object({ displayName: z.string().trim().min(1).max(100) }))
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.db
        .updateTable("users")
        .set({ display_name: input.displayName, updated_at: sql`now()` })
        .where("id", "=", ctx.principal.userId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUserView(user);
    }),

  /** The caller's own audit trail, newest first; `nextCursor` pages back in time. */
  securityEvents: authedProcedure.input(pageInput).query(async ({ ctx, input }) => {
    let query = ctx.db
      .selectFrom("audit_events")
      .select(["id", "type", "ip", "user_agent", "metadata", "created_at"])
      .where("user_id", "=", ctx.principal.userId)
      .orderBy("id", "desc")
      .limit(input.limit + 1);
    if (input.cursor) query = query.where("id", "<", input.cursor);
    const rows = await query.execute();
    const page = rows.slice(0, input.limit);
    return {
      items: page.map((row) => ({
        id: String(row.id),
        type: row.type,
        ip: row.ip,
        userAgent: row.user_agent,
        createdAt: row.created_at,
        metadata: row.metadata,
      })),
      nextCursor: rows.length > input.limit ? String(page.at(-1)?.id) : null,
    };
  }),
} satisfies TRPCRouterRecord;
