/**
 * Runs work with a global concurrency, taking turns between keys (users): a user with a thousand
 * messages waiting does not hold up another user's one new message, which starts as soon as a slot
 * frees up, before that user's second message.
 */
export interface FairScheduler {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export function createFairScheduler(concurrency: number): FairScheduler {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error("concurrency must be a positive integer");
  let active = 0;
  // Insertion order is the turn order: a key that is served goes to the back if it has more waiting.
  const waiting = new Map<string, (() => void)[]>();

  const startNext = () => {
    while (active < concurrency) {
      const first = waiting.entries().next();
      if (first.done) return;
      const [key, starts] = first.value;
      const start = starts.shift();
      waiting.delete(key);
      if (starts.length) waiting.set(key, starts);
      if (!start) continue;
      active += 1;
      start();
    }
  };

  return {
    async run(key, work) {
      await new Promise<void>((resolve) => {
        const starts = waiting.get(key);
        if (starts) starts.push(resolve);
        else waiting.set(key, [resolve]);
        startNext();
      });
      try {
        return await work();
      } finally {
        active -= 1;
        startNext();
      }
    },
  };
}
