import { z } from "zod";
import { checkInput } from "./check-input.ts";
import { checkPeriod } from "./check-period.ts";
import type { ValueIndicator } from "./indicator.ts";
import { finiteNumber, nonNegativeInt, parseSnapshot } from "./parse-snapshot.ts";

/**
 * The saved state of an Rsi. `count` is the number of values seen, capped at period + 1; while
 * warming up, avgGain/avgLoss hold the sums of the gains/losses so far.
 */
export interface RsiSnapshot {
  readonly kind: "rsi";
  readonly version: 1;
  readonly period: number;
  readonly count: number;
  readonly previous: number;
  readonly avgGain: number;
  readonly avgLoss: number;
}

const RsiSnapshotSchema = z
  .object({
    kind: z.literal("rsi"),
    version: z.literal(1),
    period: nonNegativeInt,
    count: nonNegativeInt,
    previous: finiteNumber,
    avgGain: finiteNumber.nonnegative(),
    avgLoss: finiteNumber.nonnegative(),
  })
  .refine((s) => s.count <= s.period + 1, { message: "count is larger than period + 1" });

/**
 * Relative Strength Index as TA-Lib RSI (Wilder): the first average gain and loss are the simple
 * means of the first `period` changes, so the first value appears after period + 1 inputs; then
 * avg = (avg * (period - 1) + change) / period. RSI = 100 * avgGain / (avgGain + avgLoss).
 *
 * When both averages are exactly zero (only flat prices so far) TA-Lib returns 0, which reads as
 * "extremely oversold" to a strategy; this returns the neutral 50 instead. TA-Lib also treats sums
 * below 1e-8 as zero, which would misread coins priced in fractions of a cent; this does not.
 */
export class Rsi implements ValueIndicator {
  readonly period: number;
  #count = 0;
  #previous = 0;
  #avgGain = 0;
  #avgLoss = 0;

  constructor(period: number) {
    this.period = checkPeriod("Rsi", "period", period);
  }

  /** Returns true once period + 1 values have been seen. */
  get isReady(): boolean {
    return this.#count > this.period;
  }

  /** Returns the RSI in 0..100, or NaN until ready. */
  get value(): number {
    if (this.#count <= this.period) return Number.NaN;
    const total = this.#avgGain + this.#avgLoss;
    return total === 0 ? 50 : (100 * this.#avgGain) / total;
  }

  /** Adds a value; throws a DesError (state unchanged) when it is not finite. */
  update(value: number): void {
    checkInput("Rsi", value);
    const change = value - this.#previous;
    const period = this.period;
    this.#previous = value;
    if (this.#count > period) {
      const gain = Math.max(change, 0);
      const loss = Math.max(-change, 0);
      this.#avgGain = (this.#avgGain * (period - 1) + gain) / period;
      this.#avgLoss = (this.#avgLoss * (period - 1) + loss) / period;
      return;
    }
    if (this.#count > 0) {
      if (change > 0) this.#avgGain += change;
      else this.#avgLoss -= change;
    }
    if (++this.#count > period) {
      this.#avgGain /= period;
      this.#avgLoss /= period;
    }
  }

  /** Forgets every value. */
  reset(): void {
    this.#count = 0;
    this.#previous = 0;
    this.#avgGain = 0;
    this.#avgLoss = 0;
  }

  /** Returns a JSON-safe snapshot from which fromJSON restores an identical indicator. */
  toJSON(): RsiSnapshot {
    return {
      kind: "rsi",
      version: 1,
      period: this.period,
      count: this.#count,
      previous: this.#previous,
      avgGain: this.#avgGain,
      avgLoss: this.#avgLoss,
    };
  }

  /** Returns an Rsi restored from a toJSON snapshot; throws a DesError naming what is wrong. */
  static fromJSON(snapshot: unknown): Rsi {
    const s = parseSnapshot("Rsi", RsiSnapshotSchema, snapshot);
    const rsi = new Rsi(s.period);
    rsi.#count = s.count;
    rsi.#previous = s.previous;
    rsi.#avgGain = s.avgGain;
    rsi.#avgLoss = s.avgLoss;
    return rsi;
  }
}
