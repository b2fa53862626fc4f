/** What threading looks at: headers and a provider's own thread id. Never the subject. */
export interface ThreadKeys {
  messageId: string | null;
  inReplyTo: string | null;
  references: readonly string[];
  /** Gmail's X-GM-THRID (as a string), when the server has one. */
  providerThreadId?: string | null;
}

/** Threads that already claim some of the message's ids (as their own message or as a reference). */
export interface KnownThreads {
  /** Only `get` is used, so a batch can answer through its merges (see storeMessages). */
  byMessageId: Pick<ReadonlyMap<string, string>, "get">;
  byProviderThreadId?: string | undefined;
}

export interface ThreadPlan {
  /** The thread the message joins; null when it starts a new one. */
  threadId: string | null;
  /** Other threads the message links to this one: they are to be merged into `threadId`. */
  merge: string[];
  /** Ids to record as belonging to the thread (the message's own and those it references). */
  claims: string[];
}

/** Every Message-ID the message links to, oldest reference first, its own last. */
export function linkedMessageIds(keys: ThreadKeys): string[] {
  const ids = [...keys.references, keys.inReplyTo, keys.messageId].filter(
    (id): id is string => typeof id === "string" && id.length > 0,
  );
  return [...new Set(ids)];
}

/**
 * Decides where a message goes, JWZ-style without the subject fallback: it joins every thread that
 * holds one of its ids (or its provider thread id); if that is more than one, it links them, and the
 * others merge into the first found: the provider's thread, else the one of its oldest reference.
 * References to messages not seen yet are claimed too, so a late message fills the gap.
 */
export function planThread(keys: ThreadKeys, known: KnownThreads): ThreadPlan {
  const claims = linkedMessageIds(keys);
  const found: string[] = [];
  if (known.byProviderThreadId) found.push(known.byProviderThreadId);
  for (const id of claims) {
    const threadId = known.byMessageId.get(id);
    if (threadId !== undefined) found.push(threadId);
  }
  const distinct = [...new Set(found)];
  return { threadId: distinct[0] ?? null, merge: distinct.slice(1), claims };
}

/**
 * Threads held in memory, for a sync pass over one batch and for tests; the database keeps the same
 * claims in a table and applies the same plan.
 */
export class ThreadIndex {
  private readonly claimsById = new Map<string, string>();
  private readonly providerThreads = new Map<string, string>();
  private readonly members = new Map<string, Set<string>>();
  private nextId = 1;

  /** Files a message (identified by `key`) and answers its thread id. */
  add(key: string, keys: ThreadKeys): string {
    const plan = planThread(keys, {
      byMessageId: this.claimsById,
      byProviderThreadId: keys.providerThreadId ? this.providerThreads.get(keys.providerThreadId) : undefined,
    });
    const threadId = plan.threadId ?? `t${this.nextId++}`;
    for (const other of plan.merge) this.foldThreadInto(other, threadId);
    for (const id of plan.claims) this.claimsById.set(id, threadId);
    if (keys.providerThreadId) this.providerThreads.set(keys.providerThreadId, threadId);
    const members = this.members.get(threadId) ?? new Set<string>();
    members.add(key);
    this.members.set(threadId, members);
    return threadId;
  }

  threadOf(key: string): string | undefined {
    for (const [threadId, members] of this.members) if (members.has(key)) return threadId;
    return undefined;
  }

  /** Message keys per thread. */
  threads(): string[][] {
    return [...this.members.values()].map((members) => [...members]);
  }

  private foldThreadInto(from: string, to: string): void {
    for (const [id, threadId] of this.claimsById) if (threadId === from) this.claimsById.set(id, to);
    for (const [id, threadId] of this.providerThreads) if (threadId === from) this.providerThreads.set(id, to);
    const moving = this.members.get(from) ?? new Set<string>();
    const staying = this.members.get(to) ?? new Set<string>();
    for (const key of moving) staying.add(key);
    this.members.set(to, staying);
    this.members.delete(from);
  }
}
