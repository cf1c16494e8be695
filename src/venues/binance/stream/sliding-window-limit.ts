/**
 * Allows at most `limit` events in any window of `windowMs` (a sliding window over the times of the
 * last `limit` events). Used for Binance's "5 incoming messages per second" per connection and "300
 * connection attempts every 5 minutes" per IP. The caller passes monotonic times in ms.
 */
export class SlidingWindowLimit {
  readonly limit: number;
  readonly windowMs: number;
  /** Ring of the last `limit` event times; a full ring's oldest entry decides when the next may go. */
  readonly #times: number[];
  #next = 0;
  #count = 0;

  constructor(limit: number, windowMs: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
    this.limit = limit;
    this.windowMs = windowMs;
    this.#times = new Array<number>(limit).fill(0);
  }

  /** Returns how many ms to wait before the next event is allowed at `nowMs` (0: now). */
  delayMs(nowMs: number): number {
    if (this.#count < this.limit) return 0;
    const oldest = this.#times[this.#next]!;
    return Math.max(0, oldest + this.windowMs - nowMs);
  }

  /** Records an event at `nowMs`. */
  record(nowMs: number): void {
    this.#times[this.#next] = nowMs;
    this.#next = (this.#next + 1) % this.limit;
    if (this.#count < this.limit) this.#count++;
  }
}
