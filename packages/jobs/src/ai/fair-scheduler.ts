/**
 * Runs work with a global concurrency, taking turns between keys (users): a user with a thousand
 * messages waiting does not hold up another user's one new message, which starts as soon as a slot
 * frees up, before that user's second message. Background work (mail from an account's first
 * sync) starts only when no foreground work waits, and never holds more than half the slots, so
 * new mail always finds one soon.
 */
export interface FairScheduler {
  run<T>(key: string, work: () => Promise<T>, options?: { background?: boolean }): Promise<T>;
}

/** Turns between keys: insertion order is the turn order; a key served goes to the back if it has more waiting. */
class Turns {
  private readonly waiting = new Map<string, (() => void)[]>();

  get empty(): boolean {
    return this.waiting.size === 0;
  }

  add(key: string, start: () => void): void {
    const starts = this.waiting.get(key);
    if (starts) starts.push(start);
    else this.waiting.set(key, [start]);
  }

  next(): (() => void) | undefined {
    const first = this.waiting.entries().next();
    if (first.done) return undefined;
    const [key, starts] = first.value;
    const start = starts.shift();
    this.waiting.delete(key);
    if (starts.length) this.waiting.set(key, starts);
    return start;
  }
}

export function createFairScheduler(concurrency: number): FairScheduler {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error("concurrency must be a positive integer");
  const backgroundLimit = Math.max(1, Math.floor(concurrency / 2));
  let active = 0;
  let activeBackground = 0;
  const foreground = new Turns();
  const background = new Turns();

  const startNext = () => {
    while (active < concurrency) {
      let start = foreground.next();
      if (!start && activeBackground < backgroundLimit) {
        start = background.next();
        if (start) activeBackground += 1;
      }
      if (!start) return;
      active += 1;
      start();
    }
  };

  return {
    async run(key, work, options = {}) {
      const inBackground = options.background === true;
      await new Promise<void>((resolve) => {
        (inBackground ? background : foreground).add(key, resolve);
        startNext();
      });
      try {
        return await work();
      } finally {
        active -= 1;
        if (inBackground) activeBackground -= 1;
        startNext();
      }
    },
  };
}
