import { z } from "zod";
import { DesError, ErrorCode } from "../core/index.ts";
import { checkInput } from "./check-input.ts";
import { checkPeriod } from "./check-period.ts";
import type { Indicator } from "./indicator.ts";
import { finiteNumber, invalidSnapshot, parseSnapshot, restoreNested } from "./parse-snapshot.ts";
import { StdDev, type StdDevSnapshot } from "./std-dev.ts";

/** The saved state of BollingerBands: its parameters and its rolling mean/deviation. */
export interface BollingerBandsSnapshot {
  readonly kind: "bbands";
  readonly version: 1;
  readonly period: number;
  readonly k: number;
  readonly stdDev: StdDevSnapshot;
}

const BollingerBandsSnapshotSchema = z.object({
  kind: z.literal("bbands"),
  version: z.literal(1),
  period: z.number(),
  k: finiteNumber,
  // Checked in depth by StdDev.fromJSON.
  stdDev: z.unknown(),
});

/**
 * Bollinger Bands as TA-Lib BBANDS with an SMA middle band: middle = SMA(period), upper/lower =
 * middle +/- k * the POPULATION standard deviation of the same window. O(1) per update.
 */
export class BollingerBands implements Indicator {
  readonly period: number;
  readonly k: number;
  #stdDev: StdDev;

  constructor(period: number, k: number) {
    this.period = checkPeriod("BollingerBands", "period", period);
    if (!(Number.isFinite(k) && k > 0)) {
      throw new DesError(
        ErrorCode.InvalidStrategyParams,
        `BollingerBands k must be a finite number above 0, got ${String(k)}`,
        { indicator: "BollingerBands", param: "k", value: k },
      );
    }
    this.k = k;
    this.#stdDev = new StdDev(this.period);
  }

  /** Returns true once `period` values have been seen. */
  get isReady(): boolean {
    return this.#stdDev.isReady;
  }

  /** Returns the middle band (the SMA), or NaN until ready. */
  get middle(): number {
    return this.#stdDev.mean;
  }

  /** Returns middle + k * standard deviation, or NaN until ready. */
  get upper(): number {
    return this.#stdDev.mean + this.k * this.#stdDev.value;
  }

  /** Returns middle - k * standard deviation, or NaN until ready. */
  get lower(): number {
    return this.#stdDev.mean - this.k * this.#stdDev.value;
  }

  /** Adds a value; throws a DesError (state unchanged) when it is not finite. */
  update(value: number): void {
    // Checked here too so that the error names BollingerBands, not its inner StdDev.
    checkInput("BollingerBands", value);
    this.#stdDev.update(value);
  }

  /** Forgets every value. */
  reset(): void {
    this.#stdDev.reset();
  }

  /** Returns a JSON-safe snapshot from which fromJSON restores an identical indicator. */
  toJSON(): BollingerBandsSnapshot {
    return { kind: "bbands", version: 1, period: this.period, k: this.k, stdDev: this.#stdDev.toJSON() };
  }

  /** Returns BollingerBands restored from a toJSON snapshot; throws a DesError naming what is wrong. */
  static fromJSON(snapshot: unknown): BollingerBands {
    const s = parseSnapshot("BollingerBands", BollingerBandsSnapshotSchema, snapshot);
    const bands = new BollingerBands(s.period, s.k);
    const stdDev = restoreNested("BollingerBands", "stdDev", StdDev.fromJSON, s.stdDev);
    if (stdDev.period !== bands.period) {
      throw invalidSnapshot(
        "BollingerBands",
        `stdDev period ${stdDev.period} differs from period ${bands.period}`,
        { period: bands.period, stdDevPeriod: stdDev.period },
      );
    }
    bands.#stdDev = stdDev;
    return bands;
  }
}
