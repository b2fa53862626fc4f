import {
  AiBudgetExceededError,
  AiDisabledError,
  AiModelRequiredError,
  AiProviderError,
  learnAndStore,
  summarizeThreadCached,
} from "@tidings/ai";
import { recordAuditEvent } from "@tidings/auth";
import {
  type AiAnalysisRow,
  type AiSettingsPatch,
  aiBudgetPeriod,
  aiUsageSummary,
  budgetPeriodEnd,
  budgetPeriodStart,
  correctAnalysis,
  findAiSettings,
  findMessageForAi,
  listMailAccounts,
  listMailThreadMessages,
  recentSentTexts,
  updateAiSettings,
} from "@tidings/db";
import { type AiDeps, analyzeMessage, emailForAi, recipientContextFor, sealAiApiKey, userAi } from "@tidings/jobs";
import { createGuardedFetch, MailError, parseAllowedPrivateHosts, resolveAllowedAddress } from "@tidings/mail";
import type { z } from "zod";
import type { Context } from "../../context.ts";
import { AppError } from "../../errors.ts";
import { requestOrigin } from "../../request-origin.ts";
import { saveDraft } from "../mail-send/draft.ts";
import { saveDraftInput } from "../mail-send/schema.ts";
import { correctionReasons } from "./correction.ts";
import type {
  aiDraftReplyInput,
  aiFeedbackInput,
  aiMessageInput,
  aiSettingsUpdateInput,
  aiThreadInput,
  aiUsageInput,
} from "./schema.ts";

export interface Caller {
  ctx: Context;
  userId: string;
}

const usd = (microUsd: number) => Number(microUsd) / 1_000_000;

// One guarded fetch per allow list (an undici agent keeps its connections), not one per request.
const guardedFetches = new WeakMap<readonly string[], typeof fetch>();

export function aiDeps(ctx: Context): AiDeps {
  const hosts = ctx.config.mail.allowedPrivateHosts;
  let guarded = guardedFetches.get(hosts);
  if (!guarded) {
    guarded = createGuardedFetch(parseAllowedPrivateHosts(hosts));
    guardedFetches.set(hosts, guarded);
  }
  return { db: ctx.db, config: ctx.config.ai, encryptionKey: ctx.auth.sessions.encryptionKey, fetch: guarded };
}

/** The AI layer's errors as the app codes of API.md. */
async function asAppErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AiBudgetExceededError) {
      throw new AppError("AI_BUDGET_EXCEEDED", "Your AI budget for this month is spent", {
        resetsAt: error.resetsAt.toISOString(),
      });
    }
    if (error instanceof AiProviderError) {
      throw new AppError(
        "AI_PROVIDER_ERROR",
        "The AI provider did not answer properly; nothing is lost, try again later",
        {
          reason: error.reason,
        },
      );
    }
    if (error instanceof AiDisabledError || error instanceof AiModelRequiredError) {
      throw new AppError("AI_DISABLED", error.message);
    }
    throw error;
  }
}

async function settingsView({ ctx, userId }: Caller) {
  const ai = await userAi(aiDeps(ctx), userId);
  const row = await findAiSettings(ctx.db, userId);
  const { spentMicroUsd } = await aiBudgetPeriod(ctx.db, userId, budgetPeriodStart(new Date()));
  const { settings } = ai;
  return {
    provider: settings.provider,
    baseUrl: settings.baseUrl,
    models: settings.models,
    hasApiKey: Boolean(row?.api_key_sealed),
    monthlyBudgetUsd: settings.monthlyBudgetUsd,
    // The deployment's budget: the most a user may choose (the settings form says so).
    maxMonthlyBudgetUsd: ctx.config.ai.monthlyBudgetUsd,
    spentThisMonthUsd: usd(spentMicroUsd),
    features: settings.features,
    excludedAccountIds: settings.excludedAccountIds,
    excludedSenders: settings.excludedSenders,
  };
}

export const getAiSettings = (caller: Caller) => settingsView(caller);

export async function updateAiSettingsFor(caller: Caller, input: z.output<typeof aiSettingsUpdateInput>) {
  const { ctx, userId } = caller;
  const deployment = ctx.config.ai;
  if (input.monthlyBudgetUsd != null && input.monthlyBudgetUsd > deployment.monthlyBudgetUsd) {
    throw new AppError("INVALID_INPUT", `The budget can be at most ${deployment.monthlyBudgetUsd} USD here`, {
      issues: [{ path: ["monthlyBudgetUsd"], message: `At most ${deployment.monthlyBudgetUsd}` }],
    });
  }
  if (input.baseUrl) await assertAllowedBaseUrl(ctx, input.baseUrl);
  if (input.excludedAccountIds?.length) {
    const own = new Set((await listMailAccounts(ctx.db, userId)).map((account) => account.id));
    if (!input.excludedAccountIds.every((id) => own.has(id))) {
      throw new AppError("NOT_FOUND", "No such mail account", { field: "excludedAccountIds" });
    }
  }
  const current = await findAiSettings(ctx.db, userId);
  const provider = input.provider ?? current?.provider ?? deployment.provider;
  const baseUrl =
    input.baseUrl === undefined ? (current?.base_url ?? deployment.baseUrl) : (input.baseUrl ?? deployment.baseUrl);
  if (provider === "compatible" && !baseUrl) {
    throw new AppError("INVALID_INPUT", "An OpenAI-compatible provider needs its base URL", {
      issues: [{ path: ["baseUrl"], message: "Enter the server's URL, e.g. http://127.0.0.1:11434/v1" }],
    });
  }
  const patch: AiSettingsPatch = {};
  if (input.provider !== undefined) patch.provider = input.provider;
  if (input.baseUrl !== undefined) patch.base_url = input.baseUrl;
  if (input.models?.triage !== undefined) patch.model_triage = input.models.triage;
  if (input.models?.summary !== undefined) patch.model_summary = input.models.summary;
  if (input.models?.draft !== undefined) patch.model_draft = input.models.draft;
  if (input.apiKey !== undefined) {
    patch.api_key_sealed =
      input.apiKey === null ? null : sealAiApiKey(ctx.auth.sessions.encryptionKey, userId, input.apiKey);
  }
  if (input.monthlyBudgetUsd !== undefined) {
    patch.monthly_budget_micro_usd =
      input.monthlyBudgetUsd === null ? null : Math.round(input.monthlyBudgetUsd * 1_000_000);
  }
  if (input.features?.triage !== undefined) patch.feature_triage = input.features.triage;
  if (input.features?.summaries !== undefined) patch.feature_summaries = input.features.summaries;
  if (input.features?.drafts !== undefined) patch.feature_drafts = input.features.drafts;
  if (input.excludedAccountIds !== undefined) patch.excluded_account_ids = [...new Set(input.excludedAccountIds)];
  if (input.excludedSenders !== undefined) patch.excluded_senders = [...new Set(input.excludedSenders)];
  // The trail names what changed, never a value (the API key least of all).
  const changed = Object.entries(input)
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field)
    .sort();
  await ctx.db.transaction().execute(async (trx) => {
    await updateAiSettings(trx, userId, patch);
    if (Object.keys(patch).length) {
      await recordAuditEvent(trx, {
        type: "ai_settings_changed",
        userId,
        origin: requestOrigin(ctx),
        metadata: { changed },
      });
    }
  });
  return settingsView(caller);
}

/** The same guard as mail hosts (S24): checked here for a clear error, and again on every connection. */
export async function assertAllowedBaseUrl(ctx: Context, url: string): Promise<void> {
  try {
    await resolveAllowedAddress(new URL(url).hostname, parseAllowedPrivateHosts(ctx.config.mail.allowedPrivateHosts));
  } catch (error) {
    if (error instanceof MailError && error.code === "HOST_NOT_ALLOWED") {
      throw new AppError("HOST_NOT_ALLOWED", error.message, { field: "baseUrl" });
    }
    // An address that does not resolve now may later (a server being set up); connecting says so.
  }
}

export function analysisView(row: AiAnalysisRow) {
  return {
    priority: row.priority ?? "normal",
    category: row.category ?? "personal",
    needsReply: row.needs_reply ?? false,
    summary: row.summary ?? "",
    actionItems: row.action_items,
    reasons: row.reasons,
    provider: row.provider,
    model: row.model,
    createdAt: row.created_at,
  };
}

export async function analysisFor({ ctx, userId }: Caller, input: z.output<typeof aiMessageInput>) {
  const outcome = await asAppErrors(() =>
    analyzeMessage({ ...aiDeps(ctx), events: ctx.mailEvents }, userId, input.messageId),
  );
  if (outcome.status === "skipped") {
    if (outcome.reason === "no-message") throw new AppError("NOT_FOUND", "No such message", { field: "messageId" });
    throw new AppError("AI_DISABLED", "AI triage is switched off for this user or account");
  }
  return analysisView(outcome.analysis);
}

/**
 * The thread as its people see it: the user's unsent drafts (saved to the server's Drafts folder and
 * synced back into the thread) are neither what was said nor a change that should spoil a cached
 * summary. A thread of nothing but drafts keeps them, so it can still be summarised.
 */
function withoutDrafts<T extends { draft: boolean }>(messages: T[]): T[] {
  const sent = messages.filter((message) => !message.draft);
  return sent.length ? sent : messages;
}

export async function summarizeThread({ ctx, userId }: Caller, input: z.output<typeof aiThreadInput>) {
  const messages = withoutDrafts(await listMailThreadMessages(ctx.db, userId, input.threadId));
  if (!messages.length) throw new AppError("NOT_FOUND", "No such thread", { field: "threadId" });
  const ai = await userAi(aiDeps(ctx), userId);
  if (!ai.settings.features.summaries) throw new AppError("AI_DISABLED", "Thread summaries are switched off");
  const thread = messages.map((message) =>
    emailForAi(
      message,
      message.attachments.map((attachment) => attachment.content_type),
    ),
  );
  const newest = thread[thread.length - 1];
  const recipient = newest ? await recipientContextFor(ctx.db, userId, newest) : undefined;
  const summary = await asAppErrors(() =>
    summarizeThreadCached(ctx.db, {
      userId,
      threadId: input.threadId,
      thread,
      provider: ai.provider,
      context: {
        meter: ai.meter,
        recipient: recipient ?? { ownAddresses: [], repliedToSenderBefore: false, knownContact: false },
      },
    }),
  );
  const { cached: _cached, ...view } = summary;
  return view;
}

const STYLE_SAMPLES = 3;
const STYLE_SAMPLE_CHARS = 1_000;

/** A reply written by the model and saved as a draft; sending it is mail.send's, the user's, alone (S30). */
export async function draftReply(caller: Caller, input: z.output<typeof aiDraftReplyInput>) {
  const { ctx, userId } = caller;
  const message = await findMessageForAi(ctx.db, userId, input.messageId);
  if (!message) throw new AppError("NOT_FOUND", "No such message", { field: "messageId" });
  const ai = await userAi(aiDeps(ctx), userId);
  // Drafts need a cloud model, which an account with its AI switch off never reaches.
  if (!ai.settings.features.drafts || !message.aiEnabled) {
    throw new AppError("AI_DISABLED", "Reply drafts are switched off for this user or account");
  }
  // The thread up to the message answered, oldest first.
  const messages = withoutDrafts(await listMailThreadMessages(ctx.db, userId, message.thread_id));
  const upTo = messages.slice(0, messages.findIndex((m) => m.id === message.id) + 1);
  const thread = (upTo.length ? upTo : messages).map((m) =>
    emailForAi(
      m,
      m.attachments.map((a) => a.content_type),
    ),
  );
  const styleSamples = (await recentSentTexts(ctx.db, userId, message.account_id, STYLE_SAMPLES)).map((text) =>
    text.slice(0, STYLE_SAMPLE_CHARS),
  );
  const email = emailForAi(message, message.attachmentTypes);
  const recipient = await recipientContextFor(ctx.db, userId, email);
  const draft = await asAppErrors(() =>
    ai.provider.draftReply(
      thread,
      { tone: input.tone, instructions: input.instructions, styleSamples },
      { meter: ai.meter, recipient },
    ),
  );
  const replyTo = message.reply_to[0] ?? { name: message.from_name, email: message.from_email };
  const saved = await saveDraft(
    ctx,
    userId,
    saveDraftInput.parse({
      accountId: message.account_id,
      to: replyTo.email ? [{ name: replyTo.name, email: replyTo.email }] : [],
      subject: draft.subject,
      text: draft.text,
      inReplyTo: message.id,
    }),
  );
  return { draftId: saved.draftId, subject: draft.subject, text: draft.text };
}

export async function feedback({ ctx, userId }: Caller, input: z.output<typeof aiFeedbackInput>) {
  const message = await findMessageForAi(ctx.db, userId, input.messageId);
  if (!message) throw new AppError("NOT_FOUND", "No such message", { field: "messageId" });
  const email = emailForAi(message, message.attachmentTypes);
  const recipient = await recipientContextFor(ctx.db, userId, email);
  await learnAndStore(ctx.db, {
    userId,
    email,
    recipient,
    lesson: { priority: input.priority, category: input.category, needsReply: input.needsReply },
    source: "user",
  });
  // The marks the user fixed stay fixed in their lists, not only in what the model learns next.
  await correctAnalysis(ctx.db, userId, input.messageId, { ...input, reasons: correctionReasons(input) });
  return { status: "ok" as const };
}

export async function usage({ ctx, userId }: Caller, input: z.output<typeof aiUsageInput>) {
  const now = new Date();
  const periodStart = budgetPeriodStart(now);
  const from = input?.from ?? new Date(`${periodStart}T00:00:00Z`);
  const to = input?.to ?? budgetPeriodEnd(now);
  const [summary, ai, period, saved] = await Promise.all([
    aiUsageSummary(ctx.db, userId, from, to),
    userAi(aiDeps(ctx), userId),
    aiBudgetPeriod(ctx.db, userId, periodStart),
    findAiSettings(ctx.db, userId),
  ]);
  const totals = <T extends { requests: number; inputTokens: number; outputTokens: number; costMicroUsd: number }>(
    row: T,
  ) => ({
    requests: Number(row.requests),
    inputTokens: Number(row.inputTokens),
    outputTokens: Number(row.outputTokens),
    costUsd: usd(row.costMicroUsd),
  });
  const budgetUsd = ai.settings.monthlyBudgetUsd;
  const remainingUsd = Math.max(0, budgetUsd - usd(period.spentMicroUsd));
  return {
    ...totals(summary),
    byFeature: summary.byFeature.map((row) => ({ feature: row.feature, ...totals(row) })),
    byModel: summary.byModel.map((row) => ({ model: row.model, ...totals(row) })),
    byDay: summary.byDay.map((row) => ({
      day: row.day,
      costUsd: usd(row.costMicroUsd),
      requests: Number(row.requests),
    })),
    budgetUsd,
    remainingUsd,
    // Calls are refused (AI_BUDGET_EXCEEDED) until resetsAt: nothing is left, or one was refused
    // since the user last changed their settings (a raised budget may let calls through again).
    budgetExceeded:
      remainingUsd <= 0 ||
      (period.exhaustedAt !== null && (!saved || new Date(saved.updated_at) <= new Date(period.exhaustedAt))),
    resetsAt: budgetPeriodEnd(now),
  };
}
