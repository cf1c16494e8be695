import { z } from "zod";
import { checkInput } from "./check-input.ts";
import { checkPeriod } from "./check-period.ts";
import type { ValueIndicator } from "./indicator.ts";
import { finiteNumber, nonNegativeInt, parseSnapshot } from "./parse-snapshot.ts";
import { resyncInterval } from "./resync-interval.ts";
import { RingWindow } from "./ring-window.ts";

/** The saved state of an Sma; `window` holds the last values, oldest first. */
export interface SmaSnapshot {
  readonly kind: "sma";
  readonly version: 1;
  readonly period: number;
  readonly window: number[];
  readonly sum: number;
  readonly sinceResync: number;
}

const SmaSnapshotSchema = z
  .object({
    kind: z.literal("sma"),
    version: z.literal(1),
    period: nonNegativeInt,
    window: z.array(finiteNumber),
    sum: finiteNumber,
    sinceResync: nonNegativeInt,
  })
  .refine((s) => s.window.length <= s.period, { message: "window is longer than period" });

/**
 * Simple moving average of the last `period` values (TA-Lib SMA: the first value appears after
 * `period` inputs). O(1) per update with a running sum over a ring window; when the window is
 * full the oldest value drops out.
 */
export class Sma implements ValueIndicator {
  readonly period: number;
  readonly #window: RingWindow;
  readonly #resyncEvery: number;
  #sum = 0;
  #sinceResync = 0;

  constructor(period: number) {
    this.period = checkPeriod("Sma", "period", period);
    this.#window = new RingWindow(this.period);
    this.#resyncEvery = resyncInterval(this.period);
  }

  /** Returns true once `period` values have been seen. */
  get isReady(): boolean {
    return this.#window.isFull;
  }

  /** Returns the average of the window, or NaN until ready. */
  get value(): number {
    return this.#window.isFull ? this.#sum / this.period : Number.NaN;
  }

  /** Adds a value; throws a DesError (state unchanged) when it is not finite. */
  update(value: number): void {
    checkInput("Sma", value);
    this.#sum += value - this.#window.push(value);
    if (++this.#sinceResync >= this.#resyncEvery) this.#resync();
  }

  /** Forgets every value. */
  reset(): void {
    this.#window.clear();
    this.#sum = 0;
    this.#sinceResync = 0;
  }

  /** Returns a JSON-safe snapshot from which fromJSON restores an identical indicator. */
  toJSON(): SmaSnapshot {
    return {
      kind: "sma",
      version: 1,
      period: this.period,
      window: this.#window.toArray(),
      sum: this.#sum,
      sinceResync: this.#sinceResync,
    };
  }

  /** Returns an Sma restored from a toJSON snapshot; throws a DesError naming what is wrong. */
  static fromJSON(snapshot: unknown): Sma {
    const s = parseSnapshot("Sma", SmaSnapshotSchema, snapshot);
    const sma = new Sma(s.period);
    for (const v of s.window) sma.#window.push(v);
    sma.#sum = s.sum;
    sma.#sinceResync = s.sinceResync;
    return sma;
  }

  #resync(): void {
    this.#sinceResync = 0;
    let sum = 0;
    for (let i = 0; i < this.#window.length; i++) sum += this.#window.at(i);
    this.#sum = sum;
  }
}
