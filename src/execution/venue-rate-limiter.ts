import { DesError, ErrorCode, MICROS_PER_SECOND } from "../core/index.ts";

/** Paces the orders sent to one venue. */
export interface VenueRateLimiter {
  /** Takes one send permit at nowUs and returns 0, or returns how many microseconds to wait first (taking nothing). */
  tryAcquire(nowUs: number): number;
}

/** How a token bucket is set up. */
export interface TokenBucketConfig {
  /** The burst: how many sends may go at once after a quiet spell. */
  readonly capacity: number;
  /** Sustained sends per second. */
  readonly ratePerSecond: number;
}

/**
 * A token bucket: `capacity` tokens, refilled continuously at `ratePerSecond`; one send takes one
 * token. Over any span of t seconds at most capacity + rate x t sends pass. It starts full.
 */
export class TokenBucketRateLimiter implements VenueRateLimiter {
  readonly #capacity: number;
  readonly #usPerToken: number;
  #tokens: number;
  #lastUs: number | undefined;

  constructor(config: TokenBucketConfig) {
    if (!Number.isSafeInteger(config.capacity) || config.capacity < 1) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `token bucket capacity must be a positive integer, got ${config.capacity}`,
      );
    }
    if (!Number.isFinite(config.ratePerSecond) || config.ratePerSecond <= 0) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `token bucket ratePerSecond must be positive, got ${config.ratePerSecond}`,
      );
    }
    this.#capacity = config.capacity;
    this.#usPerToken = MICROS_PER_SECOND / config.ratePerSecond;
    this.#tokens = config.capacity;
  }

  tryAcquire(nowUs: number): number {
    if (this.#lastUs !== undefined && nowUs > this.#lastUs) {
      this.#tokens = Math.min(this.#capacity, this.#tokens + (nowUs - this.#lastUs) / this.#usPerToken);
    }
    if (this.#lastUs === undefined || nowUs > this.#lastUs) this.#lastUs = nowUs;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    // Rounded up so waiting that long always yields a whole token (no float shortfall loop).
    return Math.max(1, Math.ceil((1 - this.#tokens) * this.#usPerToken));
  }
}
