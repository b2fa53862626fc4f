import {
  announceEndedSessions,
  createInvitation,
  listInvitations,
  recordAuditEvent,
  revokeInvitation,
  toUserView,
} from "@tidings/auth";
import {
  type Executor,
  listAuditEventsWithPeople,
  listUsers,
  revokeUserSessions,
  setUserDisabled,
  unlockUser,
  userExists as userRecordExists,
} from "@tidings/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { AppError } from "../errors.ts";
import {
  createInvitationInput,
  invitationIdInput,
  listEventsInput,
  listInvitationsInput,
  listUsersInput,
  setUserDisabledInput,
  userIdInput,
} from "../schemas.ts";
import { adminProcedure } from "../trpc.ts";
import { toSecurityEvent } from "./security-event-view.ts";

async function userExists(db: Executor, userId: string): Promise<void> {
  if (!(await userRecordExists(db, userId))) throw new AppError("NOT_FOUND", "No such user");
}

export const adminRouter = {
  users: {
    list: adminProcedure.input(listUsersInput).query(async ({ ctx, input }) => {
      const page = await listUsers(ctx.db, input);
      return {
        items: page.items.map((user) => ({
          ...toUserView(user),
          lockedAt: user.locked_at,
          disabledAt: user.disabled_at,
          lastLoginAt: user.last_login_at,
        })),
        nextCursor: page.nextCursor,
      };
    }),

    unlock: adminProcedure.input(userIdInput).mutation(async ({ ctx, input }) => {
      await ctx.db.transaction().execute(async (trx) => {
        await userExists(trx, input.userId);
        if (await unlockUser(trx, input.userId)) {
          await recordAuditEvent(trx, {
            type: "account_unlocked",
            userId: input.userId,
            origin: { ip: ctx.request.ip, userAgent: ctx.request.userAgent },
            metadata: { by: "admin", adminId: ctx.admin.id },
          });
        }
      });
      return { status: "ok" as const };
    }),

    setDisabled: adminProcedure.input(setUserDisabledInput).mutation(async ({ ctx, input }) => {
      if (input.userId === ctx.admin.id) throw new AppError("FORBIDDEN", "You cannot disable your own account");
      const ended = await ctx.db.transaction().execute(async (trx) => {
        await userExists(trx, input.userId);
        if (!(await setUserDisabled(trx, input.userId, input.disabled))) return [];
        await recordAuditEvent(trx, {
          type: input.disabled ? "account_disabled" : "account_enabled",
          userId: input.userId,
          origin: { ip: ctx.request.ip, userAgent: ctx.request.userAgent },
          metadata: { adminId: ctx.admin.id },
        });
        return input.disabled ? revokeUserSessions(trx, input.userId, "account_disabled") : [];
      });
      await announceEndedSessions(ctx.auth, ended);
      return { status: "ok" as const };
    }),

    revokeSessions: adminProcedure.input(userIdInput).mutation(async ({ ctx, input }) => {
      const ended = await ctx.db.transaction().execute(async (trx) => {
        await userExists(trx, input.userId);
        const ids = await revokeUserSessions(trx, input.userId, "revoked_by_admin");
        for (const sessionId of ids) {
          await recordAuditEvent(trx, {
            type: "session_revoked",
            userId: input.userId,
            origin: { ip: ctx.request.ip, userAgent: ctx.request.userAgent },
            metadata: { sessionId, adminId: ctx.admin.id },
          });
        }
        return ids;
      });
      await announceEndedSessions(ctx.auth, ended);
      return { revoked: ended.length };
    }),
  },

  invitations: {
    create: adminProcedure
      .input(createInvitationInput)
      .mutation(({ ctx, input }) =>
        createInvitation(ctx.auth, ctx.admin, input, { ip: ctx.request.ip, userAgent: ctx.request.userAgent }),
      ),
    list: adminProcedure.input(listInvitationsInput).query(({ ctx, input }) => listInvitations(ctx.auth, input)),
    revoke: adminProcedure
      .input(invitationIdInput)
      .mutation(({ ctx, input }) => revokeInvitation(ctx.auth, input.invitationId)),
  },

  events: {
    list: adminProcedure.input(listEventsInput).query(async ({ ctx, input }) => {
      const page = await listAuditEventsWithPeople(ctx.db, input);
      return {
        items: page.items.map((event) => ({
          ...toSecurityEvent(event),
          userId: event.user_id,
          user: event.user,
          actor: event.actor,
        })),
        nextCursor: page.nextCursor,
      };
    }),
  },
} satisfies TRPCRouterRecord;
