import { z } from "zod";
import { checkInput } from "./check-input.ts";
import { checkPeriod } from "./check-period.ts";
import type { ValueIndicator } from "./indicator.ts";
import { finiteNumber, nonNegativeInt, parseSnapshot } from "./parse-snapshot.ts";
import { resyncInterval } from "./resync-interval.ts";
import { RingWindow } from "./ring-window.ts";

/** The saved state of a Wma; `window` holds the last values, oldest first. */
export interface WmaSnapshot {
  readonly kind: "wma";
  readonly version: 1;
  readonly period: number;
  readonly window: number[];
  readonly sum: number;
  readonly weightedSum: number;
  readonly sinceResync: number;
}

const WmaSnapshotSchema = z
  .object({
    kind: z.literal("wma"),
    version: z.literal(1),
    period: nonNegativeInt,
    window: z.array(finiteNumber),
    sum: finiteNumber,
    weightedSum: finiteNumber,
    sinceResync: nonNegativeInt,
  })
  .refine((s) => s.window.length <= s.period, { message: "window is longer than period" });

/**
 * Linearly weighted moving average (TA-Lib WMA): the newest of the last `period` values weighs
 * `period`, the oldest 1, divided by period * (period + 1) / 2. O(1) per update: a new value
 * lowers every existing weight by one, which is subtracting the plain sum, then adds itself with
 * weight `period`. When the window is full the oldest value drops out.
 */
export class Wma implements ValueIndicator {
  readonly period: number;
  readonly #window: RingWindow;
  readonly #divisor: number;
  readonly #resyncEvery: number;
  #sum = 0;
  #weightedSum = 0;
  #sinceResync = 0;

  constructor(period: number) {
    this.period = checkPeriod("Wma", "period", period);
    this.#window = new RingWindow(this.period);
    this.#divisor = (this.period * (this.period + 1)) / 2;
    this.#resyncEvery = resyncInterval(this.period);
  }

  /** Returns true once `period` values have been seen. */
  get isReady(): boolean {
    return this.#window.isFull;
  }

  /** Returns the weighted average, or NaN until ready. */
  get value(): number {
    return this.#window.isFull ? this.#weightedSum / this.#divisor : Number.NaN;
  }

  /** Adds a value; throws a DesError (state unchanged) when it is not finite. */
  update(value: number): void {
    checkInput("Wma", value);
    const window = this.#window;
    if (window.isFull) {
      this.#weightedSum += this.period * value - this.#sum;
      this.#sum += value - window.push(value);
    } else {
      // While filling, the weights of the values so far are 1..length: the newest gets length + 1.
      window.push(value);
      this.#weightedSum += window.length * value;
      this.#sum += value;
    }
    if (++this.#sinceResync >= this.#resyncEvery) this.#resync();
  }

  /** Forgets every value. */
  reset(): void {
    this.#window.clear();
    this.#sum = 0;
    this.#weightedSum = 0;
    this.#sinceResync = 0;
  }

  /** Returns a JSON-safe snapshot from which fromJSON restores an identical indicator. */
  toJSON(): WmaSnapshot {
    return {
      kind: "wma",
      version: 1,
      period: this.period,
      window: this.#window.toArray(),
      sum: this.#sum,
      weightedSum: this.#weightedSum,
      sinceResync: this.#sinceResync,
    };
  }

  /** Returns a Wma restored from a toJSON snapshot; throws a DesError naming what is wrong. */
  static fromJSON(snapshot: unknown): Wma {
    const s = parseSnapshot("Wma", WmaSnapshotSchema, snapshot);
    const wma = new Wma(s.period);
    for (const v of s.window) wma.#window.push(v);
    wma.#sum = s.sum;
    wma.#weightedSum = s.weightedSum;
    wma.#sinceResync = s.sinceResync;
    return wma;
  }

  #resync(): void {
    this.#sinceResync = 0;
    let sum = 0;
    let weightedSum = 0;
    for (let i = 0; i < this.#window.length; i++) {
      const v = this.#window.at(i);
      sum += v;
      weightedSum += (i + 1) * v;
    }
    this.#sum = sum;
    this.#weightedSum = weightedSum;
  }
}
