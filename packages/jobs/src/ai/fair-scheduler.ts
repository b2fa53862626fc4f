/**
 * Runs work with a global concurrency, taking turns between keys (users): a user with a thousand
 * messages waiting does not hold up another user's one new message, which starts as soon as a slot
 * frees up, before that user's second message. Background work (mail from an account's first
 * sync) starts only when no foreground work waits, and never holds more than half the slots, so
 * new mail always finds one soon.
 *
 * With a deck (`deck` > 0), up to that many next-in-line jobs run their `prepare` step (the budget
 * reservation: a database round trip) while every slot is still busy, so a freed slot goes straight
 * to a prepared job and is busy only with its provider request. Without a deck, or when a slot is
 * free at once, `prepare` runs in the slot just before the work.
 */
export interface FairScheduler {
  run<T>(
    key: string,
    work: () => Promise<T>,
    options?: { background?: boolean; prepare?: () => Promise<void> },
  ): Promise<T>;
}

type Stage = "deck" | "slot";

/** Turns between keys: insertion order is the turn order; a key served goes to the back if it has more waiting. */
class Turns {
  private readonly waiting = new Map<string, ((stage: Stage) => void)[]>();

  get empty(): boolean {
    return this.waiting.size === 0;
  }

  add(key: string, begin: (stage: Stage) => void): void {
    const begins = this.waiting.get(key);
    if (begins) begins.push(begin);
    else this.waiting.set(key, [begin]);
  }

  next(): ((stage: Stage) => void) | undefined {
    const first = this.waiting.entries().next();
    if (first.done) return undefined;
    const [key, begins] = first.value;
    const begin = begins.shift();
    this.waiting.delete(key);
    if (begins.length) this.waiting.set(key, begins);
    return begin;
  }
}

export function createFairScheduler(concurrency: number, options: { deck?: number } = {}): FairScheduler {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error("concurrency must be a positive integer");
  const deck = Math.max(0, Math.floor(options.deck ?? 0));
  const backgroundLimit = Math.max(1, Math.floor(concurrency / 2));
  let active = 0;
  // Background jobs on the deck, ready or running: at most backgroundLimit.
  let heldBackground = 0;
  let preparing = 0;
  // Prepared jobs waiting for a slot, in the order they were taken from the turns.
  const ready: (() => void)[] = [];
  const foreground = new Turns();
  const background = new Turns();

  const takeNext = () => {
    const next = foreground.next();
    if (next || heldBackground >= backgroundLimit) return next;
    const fromBackground = background.next();
    if (fromBackground) heldBackground += 1;
    return fromBackground;
  };

  const startNext = () => {
    while (active < concurrency) {
      const prepared = ready.shift();
      const begin = prepared ? undefined : takeNext();
      if (!prepared && !begin) break;
      active += 1;
      if (prepared) prepared();
      else begin?.("slot");
    }
    while (preparing + ready.length < deck) {
      const begin = takeNext();
      if (!begin) break;
      preparing += 1;
      begin("deck");
    }
  };

  return {
    async run(key, work, options = {}) {
      const inBackground = options.background === true;
      const stage = await new Promise<Stage>((resolve) => {
        (inBackground ? background : foreground).add(key, resolve);
        startNext();
      });
      const release = (slot: boolean) => {
        if (slot) active -= 1;
        if (inBackground) heldBackground -= 1;
        startNext();
      };
      if (stage === "deck") {
        try {
          await options.prepare?.();
        } catch (error) {
          preparing -= 1;
          release(false);
          throw error;
        }
        preparing -= 1;
        await new Promise<void>((resolve) => {
          ready.push(resolve);
          startNext();
        });
      }
      try {
        if (stage === "slot") await options.prepare?.();
        return await work();
      } finally {
        release(true);
      }
    },
  };
}
