import { z } from "zod";

export const priorities = ["high", "normal", "low"] as const;
export const categories = [
  "personal",
  "work",
  "newsletter",
  "notification",
  "promotion",
  "transactional",
  "social",
  "spam",
] as const;
export const providerKinds = ["local", "openai", "compatible"] as const;
export const tones = ["neutral", "friendly", "formal", "brief"] as const;

export type Priority = (typeof priorities)[number];
export type Category = (typeof categories)[number];
export type ProviderKind = (typeof providerKinds)[number];
export type Tone = (typeof tones)[number];

export const actionItemSchema = z.object({
  text: z.string().min(1).max(300),
  due: z.iso.date().nullable(),
});

/** What a model is asked for; every field is required so the schema works with strict structured outputs. */
export const modelAnalysisSchema = z.object({
  priority: z.enum(priorities),
  category: z.enum(categories),
  needsReply: z.boolean(),
  summary: z.string().max(200),
  actionItems: z.array(actionItemSchema).max(10),
  reasons: z.array(z.string().min(1).max(200)).max(6),
});

/** The API's `Analysis`: the model's answer plus where it came from. */
export const analysisSchema = modelAnalysisSchema.extend({
  provider: z.enum(providerKinds),
  model: z.string().min(1),
  createdAt: z.date(),
});

export const modelThreadSummarySchema = z.object({
  summary: z.string().max(600),
  keyPoints: z.array(z.string().min(1).max(300)).max(8),
  actionItems: z.array(actionItemSchema).max(10),
  openQuestions: z.array(z.string().min(1).max(300)).max(8),
});

export const modelDraftSchema = z.object({
  subject: z.string().max(300),
  text: z.string().min(1).max(8000),
});

export type ActionItem = z.infer<typeof actionItemSchema>;
export type ModelAnalysis = z.infer<typeof modelAnalysisSchema>;
export type Analysis = z.infer<typeof analysisSchema>;
export type ModelThreadSummary = z.infer<typeof modelThreadSummarySchema>;
export type ThreadSummary = ModelThreadSummary & {
  basedOnMessageIds: string[];
  provider: ProviderKind;
  model: string;
};
export type ModelDraft = z.infer<typeof modelDraftSchema>;
export type Draft = ModelDraft & { provider: ProviderKind; model: string };
