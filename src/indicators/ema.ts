import { z } from "zod";
import { checkInput } from "./check-input.ts";
import { checkPeriod } from "./check-period.ts";
import type { ValueIndicator } from "./indicator.ts";
import { finiteNumber, nonNegativeInt, parseSnapshot } from "./parse-snapshot.ts";

/** The saved state of an Ema: while `count` < period, `sum` holds the seed values' sum. */
export interface EmaSnapshot {
  readonly kind: "ema";
  readonly version: 1;
  readonly period: number;
  readonly count: number;
  readonly sum: number;
  readonly ema: number;
}

const EmaSnapshotSchema = z
  .object({
    kind: z.literal("ema"),
    version: z.literal(1),
    period: nonNegativeInt,
    count: nonNegativeInt,
    sum: finiteNumber,
    ema: finiteNumber,
  })
  .refine((s) => s.count <= s.period, { message: "count is larger than period" });

/**
 * Exponential moving average with k = 2 / (period + 1), seeded as TA-Lib does (its default,
 * "classic" compatibility): the first value, after `period` inputs, is the SMA of those inputs;
 * each later value is ema + k * (input - ema). Other libraries seed with the first input instead,
 * which gives different early values; TA-Lib's seed is what the reference vectors use.
 */
export class Ema implements ValueIndicator {
  readonly period: number;
  readonly #k: number;
  #count = 0;
  #sum = 0;
  #ema = 0;

  constructor(period: number) {
    this.period = checkPeriod("Ema", "period", period);
    this.#k = 2 / (this.period + 1);
  }

  /** Returns true once `period` values have been seen. */
  get isReady(): boolean {
    return this.#count === this.period;
  }

  /** Returns the average, or NaN until ready. */
  get value(): number {
    return this.#count === this.period ? this.#ema : Number.NaN;
  }

  /** Adds a value; throws a DesError (state unchanged) when it is not finite. */
  update(value: number): void {
    checkInput("Ema", value);
    if (this.#count === this.period) {
      // TA-Lib's operation order, so results agree with it to the last bits where possible.
      this.#ema = (value - this.#ema) * this.#k + this.#ema;
    } else {
      this.#sum += value;
      if (++this.#count === this.period) this.#ema = this.#sum / this.period;
    }
  }

  /** Forgets every value. */
  reset(): void {
    this.#count = 0;
    this.#sum = 0;
    this.#ema = 0;
  }

  /** Returns a JSON-safe snapshot from which fromJSON restores an identical indicator. */
  toJSON(): EmaSnapshot {
    return {
      kind: "ema",
      version: 1,
      period: this.period,
      count: this.#count,
      sum: this.#sum,
      ema: this.#ema,
    };
  }

  /** Returns an Ema restored from a toJSON snapshot; throws a DesError naming what is wrong. */
  static fromJSON(snapshot: unknown): Ema {
    const s = parseSnapshot("Ema", EmaSnapshotSchema, snapshot);
    const ema = new Ema(s.period);
    ema.#count = s.count;
    ema.#sum = s.sum;
    ema.#ema = s.ema;
    return ema;
  }
}
