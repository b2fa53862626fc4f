export {
  AccountRunner,
  type AccountRunnerDeps,
  type AccountRunnerSettings,
  mailAccountErrorEmail,
  type NewMailNotice,
  type RunnerLog,
} from "./account-runner.ts";
export { type BackoffPolicy, backoffDelay, defaultBackoff } from "./backoff.ts";
export { type MailSyncWorker, type MailSyncWorkerOptions, startMailSyncWorker } from "./sync-worker.ts";
