import { z } from "zod";
import { DesError, ErrorCode } from "../core/index.ts";
import { checkInput } from "./check-input.ts";
import { checkPeriod } from "./check-period.ts";
import type { Indicator } from "./indicator.ts";
import { finiteNumber, nonNegativeInt, parseSnapshot } from "./parse-snapshot.ts";

/**
 * The saved state of a Macd. `count` is the number of inputs seen, capped at slow + signal - 1.
 * While warming up, fastEma/slowEma/signalEma hold the sums that seed them.
 */
export interface MacdSnapshot {
  readonly kind: "macd";
  readonly version: 1;
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  readonly signalPeriod: number;
  readonly count: number;
  readonly fastEma: number;
  readonly slowEma: number;
  readonly signalEma: number;
}

const MacdSnapshotSchema = z
  .object({
    kind: z.literal("macd"),
    version: z.literal(1),
    fastPeriod: nonNegativeInt,
    slowPeriod: nonNegativeInt,
    signalPeriod: nonNegativeInt,
    count: nonNegativeInt,
    fastEma: finiteNumber,
    slowEma: finiteNumber,
    signalEma: finiteNumber,
  })
  .refine((s) => s.count <= s.slowPeriod + s.signalPeriod - 1, {
    message: "count is larger than slowPeriod + signalPeriod - 1",
  });

/**
 * MACD as TA-Lib MACD: macd = EMA(fast) - EMA(slow), signal = EMA(signalPeriod) of macd,
 * histogram = macd - signal, with TA-Lib's EMA seeding (an SMA of the first values) and TA-Lib's
 * alignment: both EMAs start on the same input, the slow-th one. The slow EMA is seeded with the
 * SMA of inputs 1..slow, the fast EMA with the SMA of the LAST `fast` of those (inputs
 * slow-fast+1..slow), not of the first `fast` inputs as other libraries do. The signal EMA is
 * seeded with the SMA of the first signalPeriod macd values, so every output appears together
 * after slow + signalPeriod - 1 inputs (33 for 12/26/9).
 */
export class Macd implements Indicator {
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  readonly signalPeriod: number;
  readonly #fastK: number;
  readonly #slowK: number;
  readonly #signalK: number;
  /** Inputs before the fast EMA's seed window opens. */
  readonly #fastStart: number;
  readonly #readyCount: number;
  #count = 0;
  #fastEma = 0;
  #slowEma = 0;
  #signalEma = 0;

  constructor(fastPeriod: number, slowPeriod: number, signalPeriod: number) {
    this.fastPeriod = checkPeriod("Macd", "fastPeriod", fastPeriod);
    this.slowPeriod = checkPeriod("Macd", "slowPeriod", slowPeriod);
    this.signalPeriod = checkPeriod("Macd", "signalPeriod", signalPeriod);
    if (this.fastPeriod >= this.slowPeriod) {
      throw new DesError(
        ErrorCode.InvalidStrategyParams,
        `Macd fastPeriod must be below slowPeriod, got fastPeriod ${fastPeriod} and slowPeriod ${slowPeriod}`,
        { indicator: "Macd", param: "fastPeriod", value: fastPeriod, slowPeriod },
      );
    }
    this.#fastK = 2 / (this.fastPeriod + 1);
    this.#slowK = 2 / (this.slowPeriod + 1);
    this.#signalK = 2 / (this.signalPeriod + 1);
    this.#fastStart = this.slowPeriod - this.fastPeriod;
    this.#readyCount = this.slowPeriod + this.signalPeriod - 1;
  }

  /** Returns true once slow + signal - 1 values have been seen. */
  get isReady(): boolean {
    return this.#count === this.#readyCount;
  }

  /** Returns EMA(fast) - EMA(slow), or NaN until ready. */
  get macd(): number {
    return this.#count === this.#readyCount ? this.#fastEma - this.#slowEma : Number.NaN;
  }

  /** Returns the EMA of macd, or NaN until ready. */
  get signal(): number {
    return this.#count === this.#readyCount ? this.#signalEma : Number.NaN;
  }

  /** Returns macd - signal, or NaN until ready. */
  get histogram(): number {
    return this.#count === this.#readyCount ? this.#fastEma - this.#slowEma - this.#signalEma : Number.NaN;
  }

  /** Adds a value; throws a DesError (state unchanged) when it is not finite. */
  update(value: number): void {
    checkInput("Macd", value);
    if (this.#count === this.#readyCount) {
      this.#fastEma = (value - this.#fastEma) * this.#fastK + this.#fastEma;
      this.#slowEma = (value - this.#slowEma) * this.#slowK + this.#slowEma;
      this.#signalEma = (this.#fastEma - this.#slowEma - this.#signalEma) * this.#signalK + this.#signalEma;
      return;
    }
    this.#warmUp(value);
  }

  /** Forgets every value. */
  reset(): void {
    this.#count = 0;
    this.#fastEma = 0;
    this.#slowEma = 0;
    this.#signalEma = 0;
  }

  /** Returns a JSON-safe snapshot from which fromJSON restores an identical indicator. */
  toJSON(): MacdSnapshot {
    return {
      kind: "macd",
      version: 1,
      fastPeriod: this.fastPeriod,
      slowPeriod: this.slowPeriod,
      signalPeriod: this.signalPeriod,
      count: this.#count,
      fastEma: this.#fastEma,
      slowEma: this.#slowEma,
      signalEma: this.#signalEma,
    };
  }

  /** Returns a Macd restored from a toJSON snapshot; throws a DesError naming what is wrong. */
  static fromJSON(snapshot: unknown): Macd {
    const s = parseSnapshot("Macd", MacdSnapshotSchema, snapshot);
    const macd = new Macd(s.fastPeriod, s.slowPeriod, s.signalPeriod);
    macd.#count = s.count;
    macd.#fastEma = s.fastEma;
    macd.#slowEma = s.slowEma;
    macd.#signalEma = s.signalEma;
    return macd;
  }

  #warmUp(value: number): void {
    const n = ++this.#count;
    const slow = this.slowPeriod;
    if (n < slow) {
      this.#slowEma += value;
      if (n > this.#fastStart) this.#fastEma += value;
      return;
    }
    if (n === slow) {
      this.#slowEma = (this.#slowEma + value) / slow;
      this.#fastEma = (this.#fastEma + value) / this.fastPeriod;
    } else {
      this.#fastEma = (value - this.#fastEma) * this.#fastK + this.#fastEma;
      this.#slowEma = (value - this.#slowEma) * this.#slowK + this.#slowEma;
    }
    // Inputs slow..readyCount give the signal EMA's seed values; the last one seeds it.
    this.#signalEma += this.#fastEma - this.#slowEma;
    if (n === this.#readyCount) this.#signalEma /= this.signalPeriod;
  }
}
