import { z } from "zod";
import { checkBarInput } from "./check-input.ts";
import { checkPeriod } from "./check-period.ts";
import type { BarIndicator } from "./indicator.ts";
import { finiteNumber, nonNegativeInt, parseSnapshot } from "./parse-snapshot.ts";

/**
 * The saved state of an Atr. `count` is the number of bars seen, capped at period + 1; while
 * warming up, `atr` holds the sum of the true ranges so far. `previousClose` is meaningless
 * while count is 0.
 */
export interface AtrSnapshot {
  readonly kind: "atr";
  readonly version: 1;
  readonly period: number;
  readonly count: number;
  readonly previousClose: number;
  readonly atr: number;
}

const AtrSnapshotSchema = z
  .object({
    kind: z.literal("atr"),
    version: z.literal(1),
    period: nonNegativeInt,
    count: nonNegativeInt,
    previousClose: finiteNumber,
    atr: finiteNumber.nonnegative(),
  })
  .refine((s) => s.count <= s.period + 1, { message: "count is larger than period + 1" });

/**
 * Average True Range as TA-Lib ATR (Wilder). The true range needs the previous close, so the
 * first bar gives none: the first ATR, after period + 1 bars, is the simple mean of the true
 * ranges of bars 2..period+1; then atr = (atr * (period - 1) + tr) / period.
 */
export class Atr implements BarIndicator {
  readonly period: number;
  #count = 0;
  #previousClose = 0;
  #atr = 0;

  constructor(period: number) {
    this.period = checkPeriod("Atr", "period", period);
  }

  /** Returns true once period + 1 bars have been seen. */
  get isReady(): boolean {
    return this.#count > this.period;
  }

  /** Returns the average true range, or NaN until ready. */
  get value(): number {
    return this.#count > this.period ? this.#atr : Number.NaN;
  }

  /** Adds a bar; throws a DesError (state unchanged) unless finite with low <= close <= high. */
  update(high: number, low: number, close: number): void {
    checkBarInput("Atr", high, low, close);
    const prev = this.#previousClose;
    this.#previousClose = close;
    const period = this.period;
    if (this.#count === 0) {
      this.#count = 1;
      return;
    }
    // max(high - low, |high - prevClose|, |low - prevClose|) = max(high, prevClose) - min(low, prevClose)
    const tr = Math.max(high, prev) - Math.min(low, prev);
    if (this.#count > period) {
      this.#atr = (this.#atr * (period - 1) + tr) / period;
      return;
    }
    this.#atr += tr;
    if (++this.#count > period) this.#atr /= period;
  }

  /** Forgets every bar. */
  reset(): void {
    this.#count = 0;
    this.#previousClose = 0;
    this.#atr = 0;
  }

  /** Returns a JSON-safe snapshot from which fromJSON restores an identical indicator. */
  toJSON(): AtrSnapshot {
    return {
      kind: "atr",
      version: 1,
      period: this.period,
      count: this.#count,
      previousClose: this.#previousClose,
      atr: this.#atr,
    };
  }

  /** Returns an Atr restored from a toJSON snapshot; throws a DesError naming what is wrong. */
  static fromJSON(snapshot: unknown): Atr {
    const s = parseSnapshot("Atr", AtrSnapshotSchema, snapshot);
    const atr = new Atr(s.period);
    atr.#count = s.count;
    atr.#previousClose = s.previousClose;
    atr.#atr = s.atr;
    return atr;
  }
}
