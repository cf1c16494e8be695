/**
 * Counts the writes in flight and can hold new ones back: a switch of primary closes the gate, waits
 * until the writes already started have finished (on both databases), swaps, and opens it again.
 */
export class WriteGate {
  #inFlight = 0;
  #closed: Promise<void> | undefined;
  #open: (() => void) | undefined;
  #idleWaiters: (() => void)[] = [];

  /** Waits while the gate is closed, then counts one write in flight. Pair with leave(). */
  async enter(): Promise<void> {
    while (this.#closed !== undefined) await this.#closed;
    this.#inFlight++;
  }

  /** Ends a write started with enter(). */
  leave(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Writes in flight. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Closes the gate (new writes wait), waits for the writes in flight, runs `work`, and opens the
   * gate again whether `work` succeeds or throws. Exclusive sections do not nest or overlap.
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.#closed !== undefined) await this.#closed;
    this.#closed = new Promise<void>((resolve) => {
      this.#open = resolve;
    });
    try {
      if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
      return await work();
    } finally {
      const open = this.#open;
      this.#closed = undefined;
      this.#open = undefined;
      open?.();
    }
  }
}
