export { type BudgetMeterOptions, createBudgetMeter } from "./budget-meter.ts";
export { ownWords, sentences, truncate, visibleText } from "./content.ts";
export type { Address, EmailForAnalysis, RecipientContext } from "./email.ts";
export { emptyRecipientContext } from "./email.ts";
export { AiBudgetExceededError, AiDisabledError, AiModelRequiredError, AiProviderError } from "./errors.ts";
export { actionItems, extractiveSummary } from "./local/extract.ts";
export { featureTokens } from "./local/features.ts";
export {
  type Example,
  emptyLocalModelState,
  type Learned,
  type Lesson,
  type LocalModelState,
  learn,
  localModelStateSchema,
  type Predictor,
  predictor,
  type SenderEvidence,
} from "./local/learned-model.ts";
export {
  analyzeLocally,
  behaviourExample,
  behaviourWeights,
  createLocalProvider,
  exampleFrom,
  feedbackWeight,
  learnFrom,
  lessonFromBehaviour,
  localModelName,
  type UserBehaviour,
  userBehaviours,
} from "./local/local-provider.ts";
export { readSignals, type Signals } from "./local/signals.ts";
export { adjustedLevel, rulesCountAs, type Triage, triage } from "./local/triage.ts";
export type {
  AiFeature,
  CallOutcome,
  CallResult,
  CallStart,
  LedgerFeature,
  Meter,
  Reservation,
} from "./metering.ts";
export { unmetered } from "./metering.ts";
export { createOpenAiProvider, type ModelTiers, type OpenAiProviderOptions } from "./openai-provider.ts";
export { costUsd, defaultModelPrices, inputTokenBound, type ModelPrice, priceOf } from "./pricing.ts";
export { type DraftRequest, dataPreamble, emailBlock, escapeForBlock } from "./prompt.ts";
export type { AiProvider, CallContext } from "./provider.ts";
export { type ProbeResult, probeOpenAiProvider } from "./provider-probe.ts";
export {
  type CloudExclusions,
  createRoutedProvider,
  excludedFromCloud,
  type RoutedProviderOptions,
} from "./routed-provider.ts";
export * from "./schemas.ts";
export {
  analyzeAndSave,
  analyzeAndStore,
  behaviourSource,
  learnAndStore,
  learnBehaviourAndStore,
  loadLocalModel,
  loadPredictor,
  summarizeThreadCached,
  threadVersion,
} from "./service.ts";
export { type EffectiveAiSettings, effectiveAiSettings, unsetAiSettingsRow } from "./settings.ts";
