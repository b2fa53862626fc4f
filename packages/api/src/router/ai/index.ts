import type { TRPCRouterRecord } from "@trpc/server";
import { enforceRateLimits, verifiedProcedure } from "../../trpc.ts";
import {
  analysisFor,
  draftReply,
  feedback,
  getAiSettings,
  summarizeThread,
  updateAiSettingsFor,
  usage,
} from "./handlers.ts";
import {
  aiDraftReplyInput,
  aiFeedbackInput,
  aiMessageInput,
  aiSettingsUpdateInput,
  aiTestProviderInput,
  aiThreadInput,
  aiUsageInput,
} from "./schema.ts";
import { testProviderFor } from "./test-provider.ts";

// Calls that may reach a paid provider also count against RATE_LIMIT_AI, per user.
const aiLimited = verifiedProcedure.use(async ({ ctx, next }) => {
  await enforceRateLimits(ctx, [{ rule: "ai", key: `user:${ctx.user.id}` }]);
  return next();
});

/** `ai.*` (API.md): settings, analyses, thread summaries, reply drafts, feedback and usage. */
export const aiRouter = {
  settings: {
    get: verifiedProcedure.query(({ ctx }) => getAiSettings({ ctx, userId: ctx.user.id })),
    update: verifiedProcedure
      .input(aiSettingsUpdateInput)
      .mutation(({ ctx, input }) => updateAiSettingsFor({ ctx, userId: ctx.user.id }, input)),
  },
  analysis: verifiedProcedure
    .input(aiMessageInput)
    .query(({ ctx, input }) => analysisFor({ ctx, userId: ctx.user.id }, input)),
  summarizeThread: aiLimited
    .input(aiThreadInput)
    .mutation(({ ctx, input }) => summarizeThread({ ctx, userId: ctx.user.id }, input)),
  draftReply: aiLimited
    .input(aiDraftReplyInput)
    .mutation(({ ctx, input }) => draftReply({ ctx, userId: ctx.user.id }, input)),
  feedback: verifiedProcedure
    .input(aiFeedbackInput)
    .mutation(({ ctx, input }) => feedback({ ctx, userId: ctx.user.id }, input)),
  testProvider: aiLimited
    .input(aiTestProviderInput)
    .mutation(({ ctx, input }) => testProviderFor({ ctx, userId: ctx.user.id }, input)),
  usage: verifiedProcedure.input(aiUsageInput).query(({ ctx, input }) => usage({ ctx, userId: ctx.user.id }, input)),
} satisfies TRPCRouterRecord;
