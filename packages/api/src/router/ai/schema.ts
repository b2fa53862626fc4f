// Browser-safe: the web app's AI settings and feedback forms check their input with these schemas.
import { categories, priorities, providerKinds, tones } from "@tidings/ai/schemas";
import { z } from "zod";

const modelName = z
  .string()
  .trim()
  .min(1, "Name a model")
  .max(200, "Use at most 200 characters")
  .regex(/^[\w.:/@+-]+$/, "Letters, digits and . : / @ + - _ only");

/** An address (ada@example.com) or a whole domain (example.com or @example.com). */
const senderRule = z
  .string()
  .trim()
  .toLowerCase()
  .max(320, "Use at most 320 characters")
  .regex(/^(?:[^\s@]+@)?@?[a-z0-9-]+(?:\.[a-z0-9-]+)+$/, "Enter an email address or a domain");

const baseUrl = z
  .string()
  .trim()
  .max(2_000, "Use at most 2000 characters")
  .pipe(z.url({ protocol: /^https?$/, error: "Enter an http or https URL, e.g. http://127.0.0.1:11434/v1" }));

export const aiSettingsUpdateInput = z.object({
  provider: z.enum(providerKinds).optional(),
  /** null: the deployment's. */
  baseUrl: baseUrl.nullish(),
  models: z
    .object({ triage: modelName.nullish(), summary: modelName.nullish(), draft: modelName.nullish() })
    .optional(),
  /** Write-only: stored sealed, never shown again; null removes it. */
  apiKey: z.string().trim().min(1, "Enter the key").max(500, "Use at most 500 characters").nullish(),
  /** May lower the deployment's budget, never raise it; null: the deployment's. */
  monthlyBudgetUsd: z.number().min(0, "Must be 0 or more").max(1_000_000, "Too large").nullish(),
  features: z.object({ triage: z.boolean(), summaries: z.boolean(), drafts: z.boolean() }).partial().optional(),
  excludedAccountIds: z.array(z.uuid()).max(100, "At most 100 accounts").optional(),
  excludedSenders: z.array(senderRule).max(1_000, "At most 1000 senders").optional(),
});

/** Settings from the form that are not saved yet, for "Test the provider"; each left out means "as saved". */
export const aiTestProviderInput = aiSettingsUpdateInput
  .pick({ provider: true, baseUrl: true, models: true, apiKey: true })
  .optional();

export const aiMessageInput = z.object({ messageId: z.uuid() });
export const aiThreadInput = z.object({ threadId: z.uuid() });

export const aiDraftReplyInput = z.object({
  messageId: z.uuid(),
  instructions: z.string().trim().max(2_000, "Use at most 2000 characters").optional(),
  tone: z.enum(tones).default("neutral"),
});

export const aiFeedbackInput = z
  .object({
    messageId: z.uuid(),
    priority: z.enum(priorities).optional(),
    category: z.enum(categories).optional(),
    needsReply: z.boolean().optional(),
  })
  .refine((value) => value.priority !== undefined || value.category !== undefined || value.needsReply !== undefined, {
    message: "Say what is right: priority, category or needsReply",
    path: ["priority"],
  });

export const aiUsageInput = z
  .object({ from: z.coerce.date().optional(), to: z.coerce.date().optional() })
  .refine((value) => !value.from || !value.to || value.from < value.to, {
    message: "from must be before to",
    path: ["from"],
  })
  .optional();
