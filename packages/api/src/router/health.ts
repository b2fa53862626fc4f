import type { TRPCRouterRecord } from "@trpc/server";
import { publicProcedure } from "../trpc.ts";

export const healthRouter = {
  ping: publicProcedure.query(({ ctx }) => ({
    status: "ok" as const,
    mode: ctx.config.mode,
    time: new Date(),
  })),
} satisfies TRPCRouterRecord;
