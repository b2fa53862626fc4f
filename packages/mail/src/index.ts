export {
  carryMailAction,
  type MailAction,
  type MailActionDeps,
  type MailActionOutcome,
  MailActionRetry,
} from "./actions/index.ts";
export {
  type AllowedPrivateHosts,
  isAddressAllowed,
  noPrivateHosts,
  parseAllowedPrivateHosts,
  type Resolver,
  refusedRange,
  resolveAllowedAddress,
} from "./address-guard.ts";
export { type ConnectionLimits, imapOptions, type ServerSettings, smtpOptions } from "./connection.ts";
export {
  type ConnectionFailureReason,
  type CredentialTestResult,
  connectionFailureReason,
  type SideResult,
  testCredentials,
  testImap,
  testSmtp,
} from "./credential-test.ts";
export { type MailCredentials, openMailCredentials, sealMailCredentials } from "./credentials.ts";
export { MailError, type MailErrorCode } from "./errors.ts";
export {
  compareMailEventIds,
  createMemoryMailEventBus,
  type DeliveredMailEvent,
  type MailEvent,
  type MailEventBus,
  type MailEventListener,
} from "./events.ts";
export { createRedisMailEventBus, type RedisMailEventBus } from "./events-redis.ts";
export { accountMbox, type MboxReport } from "./export/account-mbox.ts";
export { accountExportArchive, type ExportArchiveDeps } from "./export/export-archive.ts";
export { mboxFromLine, mboxrdEntry } from "./export/mboxrd.ts";
export { createGuardedFetch } from "./guarded-fetch.ts";
export * from "./oauth/index.ts";
export {
  type Address,
  type AttachmentInfo,
  messageIdsIn,
  type ParsedMessage,
  type ParseOptions,
  parseMessage,
} from "./parse.ts";
export {
  type OAuthProvider,
  offeredPresets,
  type ProviderPreset,
  presetForEmail,
  providerPresets,
  type Security,
  type ServerEndpoint,
} from "./presets.ts";
export {
  AccountRunner,
  type AccountRunnerDeps,
  type AccountRunnerSettings,
  type BackoffPolicy,
  backoffDelay,
  defaultBackoff,
  type MailSyncWorker,
  type MailSyncWorkerOptions,
  mailAccountErrorEmail,
  type NewMailNotice,
  type RunnerLog,
  startMailSyncWorker,
} from "./runner/index.ts";
export { type SanitizedHtml, type SanitizeOptions, sanitizeMailHtml, showStoredMailHtml } from "./sanitize.ts";
export { parseSearchQuery, type SearchQuery, SearchQueryError } from "./search-query.ts";
export * from "./send/index.ts";
export {
  type FolderReport,
  MailboxSync,
  type MailboxSyncOptions,
  type SyncChange,
  type SyncResult,
} from "./sync/mailbox-sync.ts";
export { type StoredMessage, storeMessages } from "./sync/store-batch.ts";
export { type MessageToStore, storeMessage, storeMessageWithIds } from "./sync/store-message.ts";
export {
  type KnownThreads,
  linkedMessageIds,
  planThread,
  ThreadIndex,
  type ThreadKeys,
  type ThreadPlan,
} from "./threading.ts";
