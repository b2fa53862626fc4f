import type { EmailForAnalysis, RecipientContext } from "./email.ts";
import type { Meter } from "./metering.ts";
import type { DraftRequest } from "./prompt.ts";
import type { Analysis, Draft, ProviderKind, ThreadSummary } from "./schemas.ts";

export interface CallContext {
  meter: Meter;
  recipient: RecipientContext;
  signal?: AbortSignal;
  /**
   * Runs the network part of a provider call in one of the queue's shared, per-user fair slots:
   * `prepare` (the budget reservation) just before, while the call is next in line, and `work`
   * (the request) in the slot; parsing, settling and storing happen outside it, so a slot is busy
   * only while a request is. Local analysis takes none. Default: no limit.
   */
  slot?: <T>(work: () => Promise<T>, prepare?: () => Promise<void>) => Promise<T>;
}

/**
 * One AI backend. Every method returns schema-validated data and never acts on what it read: no
 * mail is sent, no link fetched, nothing deleted (S30).
 */
export interface AiProvider {
  readonly kind: ProviderKind;
  analyze(email: EmailForAnalysis, context: CallContext): Promise<Analysis>;
  summarizeThread(thread: EmailForAnalysis[], context: CallContext): Promise<ThreadSummary>;
  draftReply(thread: EmailForAnalysis[], request: DraftRequest, context: CallContext): Promise<Draft>;
}
