import { DesError, ErrorCode } from "../core/index.ts";
import type { VenueRateLimiter } from "./venue-rate-limiter.ts";

/** How a sliding-window limiter is set up (Binance spot: 50 orders per 10 s, and 160,000 per day). */
export interface SlidingWindowConfig {
  /** At most this many sends... */
  readonly limit: number;
  /** ...in any window of this many milliseconds. */
  readonly windowMs: number;
}

/**
 * A sliding window: at most `limit` sends in any `windowMs`. It remembers the times of the last
 * `limit` sends in a preallocated ring (memory is bounded by `limit`; the oldest time is overwritten
 * only when it has been used to admit a newer send).
 */
export class SlidingWindowRateLimiter implements VenueRateLimiter {
  readonly #limit: number;
  readonly #windowUs: number;
  readonly #times: number[];
  #next = 0;
  #count = 0;

  constructor(config: SlidingWindowConfig) {
    if (!Number.isSafeInteger(config.limit) || config.limit < 1) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `sliding window limit must be a positive integer, got ${config.limit}`,
      );
    }
    if (!Number.isFinite(config.windowMs) || config.windowMs <= 0) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `sliding window windowMs must be positive, got ${config.windowMs}`,
      );
    }
    this.#limit = config.limit;
    this.#windowUs = config.windowMs * 1000;
    this.#times = new Array<number>(config.limit).fill(0);
  }

  tryAcquire(nowUs: number): number {
    if (this.#count === this.#limit) {
      // #next is the oldest of the last `limit` sends: the window admits a new one once it has aged out.
      const freeAt = this.#times[this.#next]! + this.#windowUs;
      if (nowUs < freeAt) return freeAt - nowUs;
    } else {
      this.#count++;
    }
    this.#times[this.#next] = nowUs;
    this.#next = this.#next + 1 === this.#limit ? 0 : this.#next + 1;
    return 0;
  }
}
