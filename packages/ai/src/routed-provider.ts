import type { EmailForAnalysis } from "./email.ts";
import { AiDisabledError } from "./errors.ts";
import { createLocalProvider } from "./local/local-provider.ts";
import { readSignals } from "./local/signals.ts";
import type { AiProvider } from "./provider.ts";

export interface CloudExclusions {
  accountIds: readonly string[];
  /** Addresses (ada@example.com) or whole domains (example.com, @example.com). */
  senders: readonly string[];
}

/** True when the user excluded the message's account or sender from cloud models (S31). */
export function excludedFromCloud(email: EmailForAnalysis, exclusions: CloudExclusions): boolean {
  if (exclusions.accountIds.includes(email.accountId)) return true;
  const address = email.from.email.toLowerCase();
  const domain = address.slice(address.lastIndexOf("@") + 1);
  return exclusions.senders.some((entry) => {
    const rule = entry.trim().toLowerCase().replace(/^@/, "");
    return rule.includes("@") ? rule === address : rule === domain || domain.endsWith(`.${rule}`);
  });
}

export interface RoutedProviderOptions {
  cloud: AiProvider;
  /** The same user's local provider (with their learned model); default: rules only. */
  local?: AiProvider;
  exclusions: CloudExclusions;
  /** Bulk and automated mail go to the cloud only when the user asked for it. */
  cloudForBulk?: boolean;
}

/**
 * A cloud provider behind cheap local checks: excluded accounts and senders never reach it (S31),
 * and bulk or automated mail is analysed locally, where a model call would add little.
 */
export function createRoutedProvider(options: RoutedProviderOptions): AiProvider {
  const local = options.local ?? createLocalProvider();
  const excluded = (email: EmailForAnalysis) => excludedFromCloud(email, options.exclusions);
  return {
    kind: options.cloud.kind,
    async analyze(email, context) {
      if (excluded(email)) return local.analyze(email, context);
      if (!options.cloudForBulk) {
        const signals = readSignals(email, context.recipient);
        if (signals.bulk || signals.automated || signals.noReplySender) return local.analyze(email, context);
      }
      return options.cloud.analyze(email, context);
    },
    async summarizeThread(thread, context) {
      return thread.some(excluded)
        ? local.summarizeThread(thread, context)
        : options.cloud.summarizeThread(thread, context);
    },
    async draftReply(thread, request, context) {
      if (thread.some(excluded)) throw new AiDisabledError("this conversation is excluded from cloud models");
      return options.cloud.draftReply(thread, request, context);
    },
  };
}
