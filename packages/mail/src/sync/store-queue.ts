/**
 * Store steps run one after another in the order given, while the caller fetches and parses the
 * next slice of mail: Postgres stores one slice as the next streams in over IMAP and is parsed,
 * instead of each side waiting on the other (storing was about a third of a sync's time, see the
 * README's mail-sync notes). `add` waits for the step before it, so at most one slice is being
 * stored while one more is prepared: memory holds two slices at most.
 */
export class StoreQueue {
  private last: Promise<void> = Promise.resolve();

  /** Waits for the steps before (a failure of theirs is thrown here), then starts this one. */
  async add(step: () => Promise<void>): Promise<void> {
    await this.last;
    this.last = this.handled(step());
  }

  /** Runs a light step (progress) after the steps before, without waiting for them. */
  afterStored(step: () => Promise<void> | void): void {
    this.last = this.handled(this.last.then(step));
  }

  /** Waits for every step; a failure is thrown here. */
  async drain(): Promise<void> {
    await this.last;
  }

  /** Waits for the step under way without its failure: the caller is failing already. */
  async settled(): Promise<void> {
    await this.last.catch(() => {});
  }

  // The failure stays in the promise for the next add or drain; marked handled meanwhile, so
  // Node does not report it as unhandled while the next slice is still being fetched.
  private handled(running: Promise<void>): Promise<void> {
    running.catch(() => {});
    return running;
  }
}
