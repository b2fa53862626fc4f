import {
  deleteEmptyMailThreads,
  type Executor,
  findMailThreadLinksBatch,
  insertMailMessages,
  insertMailThreadsWithIds,
  mergeMailThreadsInto,
  recordMailContactsOf,
  refreshMailThreads,
  setMailThreadProviderIds,
  upsertMailThreadLinks,
} from "@tidings/db";
import type { ImapFlow } from "imapflow";
import { type ParsedMessage, parseMessage } from "../parse.ts";
import { linkedMessageIds, planThread, type ThreadKeys } from "../threading.ts";
import type { MessageToStore } from "./store-message.ts";

export interface StoredMessage {
  messageId: string;
  threadId: string;
  /** Threads stored before this batch that this message joined into its own: they are gone. */
  mergedThreadIds: string[];
}

/**
 * Stores a batch of one account's messages in a fixed number of statements, whatever its size
 * (about ten, against about eight round trips a message one by one; the mail-sync benchmark's
 * figures are in the README's Benchmarks notes). Threads are planned in memory,
 * message after message in the order given, exactly as storeMessage would file them one at a time:
 * a message joins every thread holding one of its ids (found in the database or earlier in the
 * batch), the others merge into the first, and new threads are made for the rest. Answers, per
 * message in order, its new id and final thread, or null when its folder already had that UID.
 * Run it inside a transaction.
 */
export async function storeMessages(
  trx: Executor,
  messages: readonly MessageToStore[],
): Promise<(StoredMessage | null)[]> {
  const first = messages[0];
  if (!first) return [];
  const { accountId, userId } = first;
  if (messages.some((message) => message.accountId !== accountId || message.userId !== userId)) {
    throw new Error("storeMessages: a batch holds the messages of one account");
  }
  const keys = messages.map(keysOf);
  const found = await findMailThreadLinksBatch(
    trx,
    accountId,
    keys.flatMap(linkedMessageIds),
    keys.flatMap((key) => (key.providerThreadId ? [key.providerThreadId] : [])),
  );

  // Union-find over thread ids: a thread merged away points at the one it merged into.
  const mergedInto = new Map<string, string>();
  const resolve = (threadId: string): string => {
    let current = threadId;
    for (let next = mergedInto.get(current); next !== undefined; next = mergedInto.get(current)) current = next;
    return current;
  };
  const claims = new Map<string, string>();
  const providerIdOf = new Map<string, string | null>();
  const threadOfProvider = new Map(found.byProviderThreadId);
  for (const [id, thread] of found.byMessageId) {
    claims.set(id, thread.threadId);
    providerIdOf.set(thread.threadId, thread.providerThreadId);
  }
  for (const [providerThreadId, threadId] of threadOfProvider) providerIdOf.set(threadId, providerThreadId);
  const created = new Set<string>();
  const claimed = new Set<string>();
  const byMessageId = {
    get: (id: string) => {
      const threadId = claims.get(id);
      return threadId === undefined ? undefined : resolve(threadId);
    },
  };

  const mergedAway: string[][] = keys.map(() => []);
  const planned = keys.map((key, index) => {
    const providerThread = key.providerThreadId ? threadOfProvider.get(key.providerThreadId) : undefined;
    const plan = planThread(key, {
      byMessageId,
      byProviderThreadId: providerThread === undefined ? undefined : resolve(providerThread),
    });
    let threadId = plan.threadId;
    if (threadId === null) {
      threadId = crypto.randomUUID();
      created.add(threadId);
      providerIdOf.set(threadId, key.providerThreadId ?? null);
      if (key.providerThreadId) threadOfProvider.set(key.providerThreadId, threadId);
    }
    for (const other of plan.merge) {
      mergedInto.set(other, threadId);
      if (!created.has(other) && other !== threadId) mergedAway[index]?.push(other);
      // As placeInMailThread: the survivor takes a merged thread's provider id if it has none.
      const otherProvider = providerIdOf.get(other) ?? null;
      if (otherProvider !== null) {
        if ((providerIdOf.get(threadId) ?? null) === null) {
          providerIdOf.set(threadId, otherProvider);
          threadOfProvider.set(otherProvider, threadId);
        } else {
          threadOfProvider.delete(otherProvider);
        }
      }
    }
    for (const id of plan.claims) {
      claims.set(id, threadId);
      claimed.add(id);
    }
    return threadId;
  });

  const surviving = (threadId: string) => resolve(threadId) === threadId;
  // Provider ids some thread held before the batch: a new thread taking one over (from a thread
  // merged below) gets it only once that thread is gone, as the id is unique per account.
  const heldBefore = new Set(found.byProviderThreadId.keys());
  for (const thread of found.byMessageId.values()) if (thread.providerThreadId) heldBefore.add(thread.providerThreadId);
  const newProviderId = (threadId: string) => {
    const providerThreadId = providerIdOf.get(threadId) ?? null;
    return providerThreadId !== null && !heldBefore.has(providerThreadId) ? providerThreadId : null;
  };
  await insertMailThreadsWithIds(
    trx,
    [...created].filter(surviving).map((id) => ({ id, accountId, userId, providerThreadId: newProviderId(id) })),
  );
  const mergesByTarget = new Map<string, string[]>();
  for (const merged of mergedInto.keys()) {
    if (created.has(merged)) continue;
    const target = resolve(merged);
    mergesByTarget.set(target, [...(mergesByTarget.get(target) ?? []), merged]);
  }
  for (const [target, merging] of mergesByTarget) await mergeMailThreadsInto(trx, target, merging);
  const providerIds: { threadId: string; providerThreadId: string }[] = [];
  for (const [providerThreadId, threadId] of threadOfProvider) {
    const unchanged = found.byProviderThreadId.get(providerThreadId) === threadId;
    const inserted = created.has(threadId) && newProviderId(threadId) === providerThreadId;
    if (!unchanged && !inserted && surviving(threadId)) providerIds.push({ threadId, providerThreadId });
  }
  await setMailThreadProviderIds(trx, providerIds);
  await upsertMailThreadLinks(
    trx,
    accountId,
    [...claimed].map((messageId) => ({ messageId, threadId: resolve(claims.get(messageId) as string) })),
  );

  const threadIds = planned.map(resolve);
  const ids = await insertMailMessages(
    trx,
    messages.map((message, index) => {
      const { parsed } = message;
      return {
        accountId,
        userId,
        folderId: message.folderId,
        threadId: threadIds[index] as string,
        uid: message.uid,
        modseq: message.modseq,
        messageId: parsed.messageId,
        inReplyTo: parsed.inReplyTo,
        references: parsed.references,
        from: parsed.from,
        to: parsed.to,
        cc: parsed.cc,
        replyTo: parsed.replyTo,
        subject: parsed.subject,
        date: parsed.date ?? message.internalDate,
        text: message.withBody ? parsed.text : null,
        html: message.withBody ? parsed.html : null,
        hasRemoteContent: parsed.hasRemoteContent,
        flags: flagsOf(message.flags),
        size: message.size,
        headers: parsed.headers,
        attachments: parsed.attachments,
      };
    }),
  );
  // Address autocomplete's correspondents (one statement per batch).
  await recordMailContactsOf(
    trx,
    ids.filter((id): id is string => id !== null),
  );
  const touched = [...new Set(threadIds)];
  await refreshMailThreads(trx, touched);
  // A UID stored already leaves a thread opened just for it empty.
  if (ids.includes(null)) await deleteEmptyMailThreads(trx, touched);
  return ids.map((id, index) =>
    id === null
      ? null
      : { messageId: id, threadId: threadIds[index] as string, mergedThreadIds: mergedAway[index] ?? [] },
  );
}

export function flagsOf(flags: ReadonlySet<string>) {
  return {
    seen: flags.has("\\Seen"),
    flagged: flags.has("\\Flagged"),
    answered: flags.has("\\Answered"),
    draft: flags.has("\\Draft"),
  };
}

function keysOf(message: MessageToStore): ThreadKeys {
  return {
    messageId: message.parsed.messageId,
    inReplyTo: message.parsed.inReplyTo,
    references: message.parsed.references,
    providerThreadId: message.providerThreadId,
  };
}

/** Messages parsed at once while the rest of a fetch streams in. */
const PARSE_CONCURRENCY = 4;

/**
 * Fetches the messages' full source (or only their headers) by UID in one FETCH and parses each
 * as it arrives, a few at a time, so a source is let go once parsed instead of the whole batch's
 * being held. Answers the parsed messages by UID with the size of what was fetched.
 */
export async function fetchAndParse(
  client: ImapFlow,
  uids: readonly number[],
  part: "source" | "headers",
): Promise<Map<number, { parsed: ParsedMessage; bytes: number }>> {
  const results = new Map<number, { parsed: ParsedMessage; bytes: number }>();
  if (!uids.length) return results;
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const message of client.fetch(uids.join(","), { uid: true, [part]: true }, { uid: true })) {
    const raw = part === "source" ? message.source : message.headers;
    if (!raw) continue;
    const task: Promise<void> = parseMessage(raw)
      .then((parsed) => {
        results.set(message.uid, { parsed, bytes: raw.length });
      })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= PARSE_CONCURRENCY) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  return results;
}

/** Bytes of message source fetched and parsed per slice of a batch (see slicesBySize). */
const SLICE_BYTES = 16 * 1024 * 1024;

/**
 * The items in order, cut into slices whose sizes add up to at most `maxBytes` (a single larger
 * item is a slice of its own), so that one batch of large messages is not held in memory at once.
 */
export function slicesBySize<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes = SLICE_BYTES): T[][] {
  const slices: T[][] = [];
  let slice: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (slice.length && bytes + size > maxBytes) {
      slices.push(slice);
      slice = [];
      bytes = 0;
    }
    slice.push(item);
    bytes += size;
  }
  if (slice.length) slices.push(slice);
  return slices;
}
