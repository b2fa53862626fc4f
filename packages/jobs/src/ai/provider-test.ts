import {
  createLocalProvider,
  defaultModelPrices,
  type EffectiveAiSettings,
  effectiveAiSettings,
  emptyRecipientContext,
  loadPredictor,
  type ProbeResult,
  probeOpenAiProvider,
  unmetered,
  unsetAiSettingsRow,
} from "@tidings/ai";
import type { AiProviderKind, AiSettingsRow } from "@tidings/db";
import { findAiSettings } from "@tidings/db";
import { type AiDeps, budgetMeterFor, openAiApiKey } from "./user-ai.ts";

/** Settings from the form that are not saved yet; each field left out means "as saved". */
export interface UnsavedAiSettings {
  provider?: AiProviderKind;
  /** null: the deployment's. */
  baseUrl?: string | null;
  models?: { triage?: string | null; summary?: string | null; draft?: string | null };
  /** A key typed but not saved; null: test without the saved key. */
  apiKey?: string | null;
}

export interface ProviderUnderTest {
  settings: EffectiveAiSettings;
  /** The key the test would send, if any (the deployment's only to the deployment's own endpoint). */
  apiKey: string | undefined;
}

/** The user's saved settings with the unsaved ones laid over them, as the pipeline would use them. */
export async function providerUnderTest(
  deps: AiDeps,
  userId: string,
  unsaved: UnsavedAiSettings = {},
): Promise<ProviderUnderTest> {
  const saved = await findAiSettings(deps.db, userId);
  const row: AiSettingsRow = { ...(saved ?? unsetAiSettingsRow(userId)) };
  if (unsaved.provider !== undefined) row.provider = unsaved.provider;
  if (unsaved.baseUrl !== undefined) row.base_url = unsaved.baseUrl;
  if (unsaved.models?.triage !== undefined) row.model_triage = unsaved.models.triage;
  if (unsaved.models?.summary !== undefined) row.model_summary = unsaved.models.summary;
  if (unsaved.models?.draft !== undefined) row.model_draft = unsaved.models.draft;
  // A typed key stands in for the sealed one; effectiveAiSettings only asks whether there is one.
  if (unsaved.apiKey !== undefined) row.api_key_sealed = unsaved.apiKey === null ? null : "unsaved";
  const settings = effectiveAiSettings(deps.config, row);
  const apiKey =
    settings.apiKeySource === "user"
      ? typeof unsaved.apiKey === "string"
        ? unsaved.apiKey
        : saved?.api_key_sealed
          ? openAiApiKey(deps.encryptionKey, userId, saved.api_key_sealed)
          : undefined
      : settings.apiKeySource === "deployment"
        ? deps.config.openaiApiKey?.reveal()
        : undefined;
  return { settings, apiKey };
}

// A test should answer while the person waits: no SDK retries, and at most this long.
const PROBE_TIMEOUT_MS = 15_000;

/**
 * One tiny call through the provider, with the same guarded fetch (S24) and budget meter (S32) as
 * the pipeline. The local provider analyses a made-up message: no network at all.
 */
export async function testProvider(deps: AiDeps, userId: string, target: ProviderUnderTest): Promise<ProbeResult> {
  const { settings } = target;
  if (settings.provider === "local") {
    const started = performance.now();
    const local = createLocalProvider(await loadPredictor(deps.db, userId));
    const analysis = await local.analyze(sampleEmail, { meter: unmetered, recipient: emptyRecipientContext });
    return { ok: true, model: analysis.model, latencyMs: Math.round(performance.now() - started) };
  }
  const meter = budgetMeterFor(deps, userId, settings);
  return probeOpenAiProvider(
    {
      kind: settings.provider,
      apiKey: target.apiKey,
      baseUrl: settings.baseUrl ?? undefined,
      models: settings.models,
      prices: { ...defaultModelPrices, ...deps.config.prices },
      timeoutMs: Math.min(deps.config.timeoutMs, PROBE_TIMEOUT_MS),
      maxRetries: 0,
      fetch: deps.fetch,
    },
    meter,
  );
}

const sampleEmail = {
  id: "00000000-0000-4000-8000-000000000000",
  accountId: "00000000-0000-4000-8000-000000000000",
  from: { name: "Tidings", email: "test@tidings.invalid" },
  to: [],
  cc: [],
  subject: "Provider test",
  date: new Date(0),
  text: "Is the local model there?",
  html: null,
  headers: {},
  hasCalendar: false,
};
