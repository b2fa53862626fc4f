import {
  type AiFeature,
  type AiProvider,
  createBudgetMeter,
  createLocalProvider,
  createOpenAiProvider,
  createRoutedProvider,
  defaultModelPrices,
  type EffectiveAiSettings,
  type EmailForAnalysis,
  effectiveAiSettings,
  loadPredictor,
  type Meter,
  type RecipientContext,
  unmetered,
} from "@tidings/ai";
import { openSecret, sealSecret } from "@tidings/auth";
import type { AiConfig } from "@tidings/config";
import {
  aiBudgetPeriod,
  aiRecipientFacts,
  budgetPeriodEnd,
  type Database,
  findAiUserInputs,
  findUserById,
  type Kysely,
  type MailMessageRow,
  wroteToSender,
} from "@tidings/db";
import { queueEmail } from "../outbox.ts";

/** What building a user's AI needs; the same in the worker, in embedded mode and in the API. */
export interface AiDeps {
  db: Kysely<Database>;
  config: AiConfig;
  /** Opens the users' sealed API keys. */
  encryptionKey: Buffer;
  /** For every provider request: the S24 guard with MAIL_ALLOWED_PRIVATE_HOSTS (createGuardedFetch). */
  fetch: typeof fetch;
}

// The user id is bound into the seal, so a key copied to another user's row does not open.
const keyContext = (userId: string) => `ai-api-key:${userId}`;

export function sealAiApiKey(encryptionKey: Buffer, userId: string, apiKey: string): string {
  return sealSecret(encryptionKey, apiKey, keyContext(userId));
}

export function openAiApiKey(encryptionKey: Buffer, userId: string, sealed: string): string {
  return openSecret(encryptionKey, sealed, keyContext(userId));
}

/** A stored message as the AI layer sees it, with the header fields the sync kept for the rules. */
export function emailForAi(row: MailMessageRow, attachmentTypes: readonly string[]): EmailForAnalysis {
  return {
    id: row.id,
    accountId: row.account_id,
    from: { name: row.from_name, email: row.from_email },
    to: row.to,
    cc: row.cc,
    subject: row.subject,
    date: row.date,
    text: row.text_body ?? "",
    html: row.html_body,
    headers: row.headers ?? {},
    hasCalendar: attachmentTypes.some((type) => type.toLowerCase().startsWith("text/calendar")),
  };
}

/** What the local rules know about the recipient; `ownAddresses` (from userAi) saves reading the accounts again. */
export async function recipientContextFor(
  db: Kysely<Database>,
  userId: string,
  email: EmailForAnalysis,
  ownAddresses?: readonly string[],
): Promise<RecipientContext> {
  const facts = ownAddresses
    ? { ownAddresses: [...ownAddresses], wroteToSender: await wroteToSender(db, userId, email.from.email) }
    : await aiRecipientFacts(db, userId, email.from.email);
  return {
    ownAddresses: facts.ownAddresses,
    repliedToSenderBefore: facts.wroteToSender,
    knownContact: facts.wroteToSender,
  };
}

export interface UserAi {
  settings: EffectiveAiSettings;
  /** The user's provider: the local one, or the cloud one behind the local checks and exclusions (S31). */
  provider: AiProvider;
  /** The budget meter for cloud calls (S32); the local provider is never metered. */
  meter: Meter;
  /** The model a feature uses with this provider. */
  modelFor(feature: AiFeature): string;
  /** The user's own addresses (their mail accounts'), lower-cased. */
  ownAddresses: string[];
}

/**
 * The local provider with the user's learned model, loaded on first use: behind a cloud provider
 * it serves only excluded and bulk mail, so most jobs never need to read and rebuild the model.
 */
function lazyLocalProvider(load: () => Promise<AiProvider>): AiProvider {
  let loaded: Promise<AiProvider> | undefined;
  const provider = () => {
    loaded ??= load();
    return loaded;
  };
  return {
    kind: "local",
    analyze: async (email, context) => (await provider()).analyze(email, context),
    summarizeThread: async (thread, context) => (await provider()).summarizeThread(thread, context),
    draftReply: async (thread, request, context) => (await provider()).draftReply(thread, request, context),
  };
}

/** The user's AI as their settings (over the deployment's defaults) choose it. */
export async function userAi(deps: AiDeps, userId: string): Promise<UserAi> {
  const { settings: row, accounts } = await findAiUserInputs(deps.db, userId);
  const settings = effectiveAiSettings(deps.config, row);
  const ownAddresses = accounts.map((account) => account.email.toLowerCase());
  const loadLocal = async () => createLocalProvider(await loadPredictor(deps.db, userId));
  if (settings.provider === "local") {
    return { settings, provider: await loadLocal(), meter: unmetered, modelFor: () => "tidings-local-1", ownAddresses };
  }
  const apiKey =
    settings.apiKeySource === "user" && row?.api_key_sealed
      ? openAiApiKey(deps.encryptionKey, userId, row.api_key_sealed)
      : settings.apiKeySource === "deployment"
        ? deps.config.openaiApiKey?.reveal()
        : undefined;
  const cloud = createOpenAiProvider({
    kind: settings.provider,
    apiKey,
    baseUrl: settings.baseUrl ?? undefined,
    models: settings.models,
    prices: { ...defaultModelPrices, ...deps.config.prices },
    timeoutMs: deps.config.timeoutMs,
    maxRetries: deps.config.maxRetries,
    fetch: deps.fetch,
  });
  const meter = budgetMeterFor(deps, userId, settings);
  // An account whose AI switch is off (mailAccount.update aiEnabled, off by default) is treated as
  // excluded: its mail is analysed by the local model only, and never sent to a cloud provider.
  const accountsOff = accounts.filter((account) => !account.aiEnabled).map((account) => account.id);
  return {
    settings,
    provider: createRoutedProvider({
      cloud,
      local: lazyLocalProvider(loadLocal),
      exclusions: { accountIds: [...settings.excludedAccountIds, ...accountsOff], senders: settings.excludedSenders },
    }),
    meter,
    modelFor: (feature) => settings.models[feature],
    ownAddresses,
  };
}

/** The user's budget meter (S32), which also sends the 80% and 100% emails once a month. */
export function budgetMeterFor(deps: AiDeps, userId: string, settings: EffectiveAiSettings): Meter {
  return createBudgetMeter({
    db: deps.db,
    userId,
    monthlyBudgetUsd: settings.monthlyBudgetUsd,
    onBudgetWarning: ({ level, periodStart }) => queueBudgetEmail(deps.db, userId, level, periodStart, settings),
  });
}

async function queueBudgetEmail(
  db: Kysely<Database>,
  userId: string,
  level: 80 | 100,
  periodStart: string,
  settings: EffectiveAiSettings,
): Promise<void> {
  const user = await findUserById(db, userId);
  if (!user) return;
  const { spentMicroUsd } = await aiBudgetPeriod(db, userId, periodStart);
  const resetsAt = budgetPeriodEnd(new Date(`${periodStart}T00:00:00Z`));
  await queueEmail(db, {
    template: "ai-budget",
    to: user.email,
    data: {
      displayName: user.display_name,
      level,
      spentUsd: spentMicroUsd / 1_000_000,
      budgetUsd: settings.monthlyBudgetUsd,
      resetsOn: resetsAt.toISOString().slice(0, 10),
    },
  });
}
