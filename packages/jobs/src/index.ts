export { type AnalyzeOutcome, analyzeMessage } from "./ai/analyze.ts";
export {
  behavioursOf,
  learnFromBehaviour,
  type MailChangeForLessons,
  openedSoonMs,
  queueBehaviourLessons,
  queueReplyLesson,
} from "./ai/behaviour.ts";
export { createFairScheduler, type FairScheduler } from "./ai/fair-scheduler.ts";
export { firstSyncAnalysesPerAccount, queueFirstSyncAnalyses } from "./ai/first-sync.ts";
export {
  type ProviderUnderTest,
  providerUnderTest,
  testProvider,
  type UnsavedAiSettings,
} from "./ai/provider-test.ts";
export { analysisRetryRounds, queueFailedAnalysisRetries } from "./ai/retry-failed.ts";
export {
  type AiDeps,
  emailForAi,
  recipientContextFor,
  sealAiApiKey,
  type UserAi,
  userAi,
} from "./ai/user-ai.ts";
export {
  isQueueName,
  type Job,
  type JobData,
  type JobName,
  jobDefinitions,
  maxLessonMessages,
  PermanentJobError,
  type Processors,
  type QueueName,
  queueNames,
  type RetryPolicy,
  retryPolicies,
  toJob,
} from "./definitions.ts";
export {
  type Housekeeping,
  type HousekeepingCounts,
  type HousekeepingOptions,
  startHousekeeping,
} from "./housekeeping.ts";
export { addToOutbox, queueEmail } from "./outbox.ts";
export { type AiProcessorDeps, createAiProcessor } from "./processors/ai.ts";
export { createEmailProcessor, type EmailProcessorDeps } from "./processors/email.ts";
export { createProcessors, type ProcessorDeps } from "./processors/index.ts";
export { createMailActionProcessor, type MailActionProcessorDeps } from "./processors/mail-actions.ts";
export {
  createMailSendProcessor,
  type MailSendProcessorDeps,
  requeuePendingMailSends,
} from "./processors/mail-send.ts";
export {
  createBullProducer,
  createInProcessProducer,
  type EnqueueOptions,
  type JobProducer,
  type RawJob,
} from "./producer.ts";
export { type OutboxRelay, type RelayOptions, startOutboxRelay } from "./relay.ts";
export { type RunningWorkers, startBullWorkers, type WorkerEvents, type WorkerOptions } from "./worker.ts";
