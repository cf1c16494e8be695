import { z } from "zod";
import { checkInput } from "./check-input.ts";
import { checkPeriod } from "./check-period.ts";
import type { ValueIndicator } from "./indicator.ts";
import { finiteNumber, nonNegativeInt, parseSnapshot } from "./parse-snapshot.ts";
import { resyncInterval } from "./resync-interval.ts";
import { RingWindow } from "./ring-window.ts";

/** The saved state of a StdDev; `window` holds the last values, oldest first. */
export interface StdDevSnapshot {
  readonly kind: "stddev";
  readonly version: 1;
  readonly period: number;
  readonly window: number[];
  readonly mean: number;
  readonly m2: number;
  readonly sinceResync: number;
}

const StdDevSnapshotSchema = z
  .object({
    kind: z.literal("stddev"),
    version: z.literal(1),
    period: nonNegativeInt,
    window: z.array(finiteNumber),
    mean: finiteNumber,
    m2: finiteNumber,
    sinceResync: nonNegativeInt,
  })
  .refine((s) => s.window.length <= s.period, { message: "window is longer than period" });

/**
 * Population standard deviation (divide by N, as TA-Lib STDDEV and BBANDS) of the last `period`
 * values, with their mean. O(1) per update: a sliding Welford update of the mean and of the sum
 * of squared deviations (m2). Unlike sum-of-squares minus square-of-sum, it does not lose the
 * variance to cancellation when prices are large and moves small (BTC at 60,000 moving by cents).
 * Precision: on market-like series the error stays below 1e-9 of the price level; its worst case,
 * right after values far larger than the window's current ones have left it, is about 1e-8 of
 * those values (rounding residue in m2, cleared by the periodic recomputation). A window of equal
 * values gives exactly 0. When the window is full the oldest value drops out.
 */
export class StdDev implements ValueIndicator {
  readonly period: number;
  readonly #window: RingWindow;
  readonly #resyncEvery: number;
  #mean = 0;
  #m2 = 0;
  #sinceResync = 0;
  /** How many of the newest values equal the newest one (capped at period). */
  #runLength = 0;
  #last = 0;

  constructor(period: number) {
    this.period = checkPeriod("StdDev", "period", period);
    this.#window = new RingWindow(this.period);
    this.#resyncEvery = resyncInterval(this.period);
  }

  /** Returns true once `period` values have been seen. */
  get isReady(): boolean {
    return this.#window.isFull;
  }

  /** Returns the population standard deviation of the window, or NaN until ready. */
  get value(): number {
    if (!this.#window.isFull) return Number.NaN;
    // A flat window (a quiet market) is exactly 0, not the rounding noise the sliding update
    // leaves in m2 (about 1e-8 of the price level); m2 can also end a hair below 0.
    if (this.#runLength === this.period) return 0;
    return Math.sqrt(this.#m2 > 0 ? this.#m2 / this.period : 0);
  }

  /** Returns the mean of the window, or NaN until ready. */
  get mean(): number {
    if (!this.#window.isFull) return Number.NaN;
    return this.#runLength === this.period ? this.#last : this.#mean;
  }

  /** Adds a value; throws a DesError (state unchanged) when it is not finite. */
  update(value: number): void {
    checkInput("StdDev", value);
    const window = this.#window;
    const mean = this.#mean;
    if (window.isFull) {
      const old = window.push(value);
      const newMean = mean + (value - old) / this.period;
      this.#m2 += (value - old) * (value - newMean + old - mean);
      this.#mean = newMean;
    } else {
      window.push(value);
      const delta = value - mean;
      const newMean = mean + delta / window.length;
      this.#m2 += delta * (value - newMean);
      this.#mean = newMean;
    }
    if (value === this.#last && this.#runLength > 0) {
      if (this.#runLength < this.period) this.#runLength++;
    } else {
      this.#last = value;
      this.#runLength = 1;
    }
    if (++this.#sinceResync >= this.#resyncEvery) this.#resync();
  }

  /** Forgets every value. */
  reset(): void {
    this.#window.clear();
    this.#mean = 0;
    this.#m2 = 0;
    this.#sinceResync = 0;
    this.#runLength = 0;
    this.#last = 0;
  }

  /** Returns a JSON-safe snapshot from which fromJSON restores an identical indicator. */
  toJSON(): StdDevSnapshot {
    return {
      kind: "stddev",
      version: 1,
      period: this.period,
      window: this.#window.toArray(),
      mean: this.#mean,
      m2: this.#m2,
      sinceResync: this.#sinceResync,
    };
  }

  /** Returns a StdDev restored from a toJSON snapshot; throws a DesError naming what is wrong. */
  static fromJSON(snapshot: unknown): StdDev {
    const s = parseSnapshot("StdDev", StdDevSnapshotSchema, snapshot);
    const sd = new StdDev(s.period);
    for (const v of s.window) sd.#window.push(v);
    // The run of equal newest values follows from the window, so it is not stored.
    const n = s.window.length;
    sd.#last = n > 0 ? s.window[n - 1]! : 0;
    while (sd.#runLength < n && s.window[n - 1 - sd.#runLength] === sd.#last) sd.#runLength++;
    sd.#mean = s.mean;
    sd.#m2 = s.m2;
    sd.#sinceResync = s.sinceResync;
    return sd;
  }

  #resync(): void {
    this.#sinceResync = 0;
    const n = this.#window.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.#window.at(i);
    const mean = n === 0 ? 0 : sum / n;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const d = this.#window.at(i) - mean;
      m2 += d * d;
    }
    this.#mean = mean;
    this.#m2 = m2;
  }
}
