import { announceEndedSessions, recordAuditEvent, revokeUserSessions, toUserView } from "@tidings/auth";
import { type Executor, listAuditEventsWithPeople, sql, unlockUser } from "@tidings/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { AppError } from "../errors.ts";
import { listEventsInput, listUsersInput, setUserDisabledInput, userIdInput } from "../schemas.ts";
import { adminProcedure } from "../trpc.ts";
import { toSecurityEvent } from "./security-event-view.ts";

const createdMicros = sql<string>`(extract(epoch from created_at) * 1000000)::bigint`;

async function userExists(db: Executor, userId: string): Promise<void> {
  const row = await db.selectFrom("users").select("id").where("id", "=", userId).executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", "No such user");
}

export const adminRouter = {
  users: {
    list: adminProcedure.input(listUsersInput).query(async ({ ctx, input }) => {
      let query = ctx.db
        .selectFrom("users")
        .selectAll()
        .select(createdMicros.as("created_micros"))
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(input.limit + 1);
      if (input.query) {
        const pattern = `%${input.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where((eb) =>
          eb.or([eb("email_normalized", "like", pattern), eb(sql`lower(display_name)`, "like", pattern)]),
        );
      }
      if (input.cursor) {
        const [micros, id] = input.cursor.split("_") as [string, string];
        // Keyset on (created_at, id) at the database's own precision: accounts created in the
        // same microsecond, or within one JavaScript millisecond, are neither skipped nor repeated.
        query = query.where(sql<boolean>`(${createdMicros}, id) < (${micros}::bigint, ${id}::uuid)`);
      }
      const rows = await query.execute();
      const page = rows.slice(0, input.limit);
      const last = page.at(-1);
      return {
        items: page.map((user) => ({
          ...toUserView(user),
          lockedAt: user.locked_at,
          disabledAt: user.disabled_at,
          lastLoginAt: user.last_login_at,
        })),
        nextCursor: rows.length > input.limit && last ? `${last.created_micros}_${last.id}` : null,
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
        const changed = await trx
          .updateTable("users")
          .set({ disabled_at: input.disabled ? sql`now()` : null, updated_at: sql`now()` })
          .where("id", "=", input.userId)
          .where("disabled_at", input.disabled ? "is" : "is not", null)
          .returning("id")
          .executeTakeFirst();
        if (!changed) return [];
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
