import { inject } from "vitest";

export { launchChromium, watchForListItem } from "./browser.ts";
export {
  appendMessages,
  type ConstructedMessage,
  type ConstructedThread,
  constructedThreads,
  SPAM_ASSASSIN_SIZE,
  type SpamAssassinOptions,
  spamAssassinMessages,
} from "./corpus.ts";
export { createScratchDatabase, type ScratchDatabase } from "./database.ts";
export { type DovecotOptions, type StoredMessage, startDovecot, type TestDovecot } from "./dovecot.ts";
export { startOAuthServer, type TestOAuthServer } from "./oauth-server.ts";
export { freePort } from "./ports.ts";
export { type RunningProcess, repoRoot, startProcess } from "./process.ts";
export { createTestRedis, type OwnRedisServer, startOwnRedisServer, type TestRedis } from "./redis.ts";
export { type SearchMail, searchCases, searchMail } from "./search-mail.ts";
export type { ServiceStatus } from "./services.ts";
export { type ReceivedEmail, type SmtpReply, type SmtpSink, startSmtpSink } from "./smtp.ts";
export { shippedSourceFiles } from "./source-files.ts";
export { type SelfSignedCertificate, selfSignedCertificate } from "./tls.ts";

/** Which services this run has (probed once by the global setup). */
export function services() {
  const status = inject("services");
  return {
    postgres: status.postgres.available,
    redis: status.redis.available,
    chromium: status.chromium.available,
    dovecot: status.dovecot.available,
  };
}
export { readZip, splitMboxrd } from "./archives.ts";
export { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts";
