import { findDevMailboxEmail, listDevMailbox } from "@tidings/db";
import { queueEmail } from "@tidings/jobs";
import type { TRPCRouterRecord } from "@trpc/server";
import { AppError } from "../errors.ts";
import { devMailboxListInput, idInput, sendTestEmailInput } from "../schemas.ts";
import { publicProcedure } from "../trpc.ts";

const loopback = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * The dev mailbox holds every email the app "sent", reset links included, so it is served only
 * outside production and only to the machine itself; to anyone else it does not exist.
 */
const devProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.config.nodeEnv === "production" || !loopback.test(ctx.request.ip)) {
    throw new AppError("NOT_FOUND", "Not found");
  }
  return next();
});

export const devMailboxRouter = {
  list: devProcedure.input(devMailboxListInput).query(({ ctx, input }) => listDevMailbox(ctx.db, input.limit)),

  get: devProcedure.input(idInput).query(async ({ ctx, input }) => {
    const email = await findDevMailboxEmail(ctx.db, input.id);
    if (!email) throw new AppError("NOT_FOUND", "No such email");
    return email;
  }),

  /** Sends the welcome email through the real pipeline (outbox, queue, worker, transport). */
  sendTest: devProcedure.input(sendTestEmailInput).mutation(async ({ ctx, input }) => {
    const id = await queueEmail(ctx.db, { template: "welcome", to: input.to, data: { displayName: null } });
    return { id };
  }),
} satisfies TRPCRouterRecord;
