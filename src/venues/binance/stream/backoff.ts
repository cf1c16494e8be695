/** Exponential back-off settings; every field has a default. */
export interface BackoffOptions {
  /** First delay in ms (default 100). */
  readonly initialMs?: number;
  /** The cap in ms (default 800: with jitter 0.5 a server that comes back is reached within about 0.8 s). */
  readonly maxMs?: number;
  /** Growth factor per attempt (default 2). */
  readonly multiplier?: number;
  /** 0..1: the share of each delay that is random (default 0.5), so clients do not reconnect in lockstep. */
  readonly jitter?: number;
}

/**
 * Produces reconnect delays: initialMs * multiplier^attempt capped at maxMs, of which a random share
 * `jitter` is taken off (delay in [base * (1 - jitter), base]).
 */
export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.initialMs = options.initialMs ?? 100;
    this.maxMs = options.maxMs ?? 800;
    this.multiplier = options.multiplier ?? 2;
    this.jitter = options.jitter ?? 0.5;
    if (!(this.initialMs >= 0) || !(this.maxMs >= this.initialMs)) {
      throw new RangeError(`backoff needs 0 <= initialMs <= maxMs, got ${this.initialMs} and ${this.maxMs}`);
    }
    if (!(this.multiplier >= 1))
      throw new RangeError(`backoff multiplier must be >= 1, got ${this.multiplier}`);
    if (!(this.jitter >= 0 && this.jitter <= 1))
      throw new RangeError(`backoff jitter must be in 0..1, got ${this.jitter}`);
    this.#random = random;
  }

  /** The number of delays handed out since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Returns the next delay in ms and counts the attempt. */
  next(): number {
    return this.delayFor(this.#attempt++);
  }

  /** Returns a delay for the given attempt (0-based) without counting it: for callers that keep their own count. */
  delayFor(attempt: number): number {
    const base = Math.min(this.maxMs, this.initialMs * this.multiplier ** attempt);
    return Math.round(base * (1 - this.jitter * this.#random()));
  }

  /** Starts again from initialMs (after a connection proved healthy). */
  reset(): void {
    this.#attempt = 0;
  }
}
