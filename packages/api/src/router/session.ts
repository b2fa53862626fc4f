import { announceEndedSessions, recordAuditEvent, toSessionView } from "@tidings/auth";
import { listActiveSessions, revokeSession, revokeUserSessions } from "@tidings/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { AppError } from "../errors.ts";
import { sessionIdInput } from "../schemas.ts";
import { authedProcedure } from "../trpc.ts";

export const sessionRouter = {
  list: authedProcedure.query(async ({ ctx }) => {
    const sessions = await listActiveSessions(ctx.db, ctx.principal.userId);
    return sessions.map((session) => toSessionView(session, ctx.principal.sessionId));
  }),

  revoke: authedProcedure.input(sessionIdInput).mutation(async ({ ctx, input }) => {
    const origin = { ip: ctx.request.ip, userAgent: ctx.request.userAgent };
    const ended = await ctx.db.transaction().execute(async (trx) => {
      const session = await revokeSession(trx, input.sessionId, "revoked_by_user", ctx.principal.userId);
      if (session) {
        await recordAuditEvent(trx, {
          type: "session_revoked",
          userId: ctx.principal.userId,
          origin,
          metadata: { sessionId: session.id },
        });
      }
      return session;
    });
    // Another user's session and an unknown one look the same from here.
    if (!ended) throw new AppError("NOT_FOUND", "No such session");
    await announceEndedSessions(ctx.auth, [ended.id]);
    return { status: "ok" as const };
  }),

  revokeOthers: authedProcedure.mutation(async ({ ctx }) => {
    const origin = { ip: ctx.request.ip, userAgent: ctx.request.userAgent };
    const ended = await ctx.db.transaction().execute(async (trx) => {
      const ids = await revokeUserSessions(trx, ctx.principal.userId, "revoked_by_user", ctx.principal.sessionId);
      for (const sessionId of ids) {
        await recordAuditEvent(trx, {
          type: "session_revoked",
          userId: ctx.principal.userId,
          origin,
          metadata: { sessionId },
        });
      }
      return ids;
    });
    await announceEndedSessions(ctx.auth, ended);
    return { revoked: ended.length };
  }),
} satisfies TRPCRouterRecord;
