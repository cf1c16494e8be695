import type { MarketStreamLogger } from "./market-stream-logger.ts";

/**
 * Logs a repeating problem at most once per interval, with the number of occurrences since the
 * previous line, so a flood of bad frames cannot flood the log.
 */
export class ThrottledLog {
  readonly #logger: MarketStreamLogger;
  readonly #level: "info" | "warn" | "error";
  readonly #msg: string;
  readonly #intervalMs: number;
  readonly #nowMs: () => number;
  #lastAt = Number.NEGATIVE_INFINITY;
  #pending = 0;

  constructor(
    logger: MarketStreamLogger,
    level: "info" | "warn" | "error",
    msg: string,
    intervalMs = 1000,
    nowMs: () => number = () => performance.now(),
  ) {
    this.#logger = logger;
    this.#level = level;
    this.#msg = msg;
    this.#intervalMs = intervalMs;
    this.#nowMs = nowMs;
  }

  /** Counts one occurrence; logs it with `details` and the count when the interval has passed. */
  hit(details: () => Record<string, unknown>): void {
    this.#pending++;
    const now = this.#nowMs();
    if (now - this.#lastAt < this.#intervalMs) return;
    this.#lastAt = now;
    const count = this.#pending;
    this.#pending = 0;
    this.#logger[this.#level]({ ...details(), count }, this.#msg);
  }
}
