import { z } from "zod";
import { checkBarInput } from "./check-input.ts";
import { checkPeriod } from "./check-period.ts";
import type { BarIndicator } from "./indicator.ts";
import { invalidSnapshot, parseSnapshot, restoreNested } from "./parse-snapshot.ts";
import { SlidingRange, type SlidingRangeSnapshot, SlidingRangeSnapshotSchema } from "./sliding-range.ts";
import { Sma, type SmaSnapshot } from "./sma.ts";

/** The saved state of a Stochastic: its high/low range deques and both smoothings. */
export interface StochasticSnapshot {
  readonly kind: "stoch";
  readonly version: 1;
  readonly fastKPeriod: number;
  readonly slowKPeriod: number;
  readonly slowDPeriod: number;
  readonly range: SlidingRangeSnapshot;
  readonly slowK: SmaSnapshot;
  readonly slowD: SmaSnapshot;
}

const StochasticSnapshotSchema = z.object({
  kind: z.literal("stoch"),
  version: z.literal(1),
  fastKPeriod: z.number(),
  slowKPeriod: z.number(),
  slowDPeriod: z.number(),
  // Consistency with fastKPeriod is checked by SlidingRange.problem.
  range: SlidingRangeSnapshotSchema,
  // Checked in depth by Sma.fromJSON.
  slowK: z.unknown(),
  slowD: z.unknown(),
});

/**
 * Stochastic oscillator as TA-Lib STOCH with SMA smoothing: fast %K = 100 * (close - lowest low)
 * / (highest high - lowest low) over the last fastKPeriod bars; k (TA-Lib's slowK) = SMA(slowKPeriod)
 * of fast %K; d (slowD) = SMA(slowDPeriod) of k. Both appear together after
 * fastKPeriod + slowKPeriod + slowDPeriod - 2 bars, as in TA-Lib. slowKPeriod 1 gives the
 * unsmoothed ("fast") stochastic. The highest high and lowest low come from monotonic deques
 * (SlidingRange), amortised O(1) per bar.
 *
 * When the window's high equals its low, TA-Lib gives fast %K = 0 ("extremely oversold" on a
 * flat market); this gives the neutral 50 instead.
 */
export class Stochastic implements BarIndicator {
  readonly fastKPeriod: number;
  readonly slowKPeriod: number;
  readonly slowDPeriod: number;
  #range: SlidingRange;
  #slowK: Sma;
  #slowD: Sma;

  constructor(fastKPeriod: number, slowKPeriod: number, slowDPeriod: number) {
    this.fastKPeriod = checkPeriod("Stochastic", "fastKPeriod", fastKPeriod);
    this.slowKPeriod = checkPeriod("Stochastic", "slowKPeriod", slowKPeriod);
    this.slowDPeriod = checkPeriod("Stochastic", "slowDPeriod", slowDPeriod);
    this.#range = new SlidingRange(this.fastKPeriod);
    this.#slowK = new Sma(this.slowKPeriod);
    this.#slowD = new Sma(this.slowDPeriod);
  }

  /** Returns true once both k and d are available. */
  get isReady(): boolean {
    return this.#slowD.isReady;
  }

  /** Returns %K smoothed by SMA(slowKPeriod) (TA-Lib's slowK) in 0..100, or NaN until ready. */
  get k(): number {
    return this.#slowD.isReady ? clampPercent(this.#slowK.value) : Number.NaN;
  }

  /** Returns SMA(slowDPeriod) of k (TA-Lib's slowD) in 0..100, or NaN until ready. */
  get d(): number {
    return clampPercent(this.#slowD.value);
  }

  /** Adds a bar; throws a DesError (state unchanged) unless finite with low <= close <= high. */
  update(high: number, low: number, close: number): void {
    checkBarInput("Stochastic", high, low, close);
    const r = this.#range;
    r.push(high, low);
    if (!r.isFull) return;
    const lowest = r.lowest;
    const range = r.highest - lowest;
    // (close - lowest) <= range after rounding too, so the ratio is at most 1 and the result at
    // most 100 exactly (TA-Lib's (close - lowest) / (range / 100) can land a hair above 100).
    this.#slowK.update(range !== 0 ? 100 * ((close - lowest) / range) : 50);
    if (this.#slowK.isReady) this.#slowD.update(this.#slowK.value);
  }

  /** Forgets every bar. */
  reset(): void {
    this.#range.clear();
    this.#slowK.reset();
    this.#slowD.reset();
  }

  /** Returns a JSON-safe snapshot from which fromJSON restores an identical indicator. */
  toJSON(): StochasticSnapshot {
    return {
      kind: "stoch",
      version: 1,
      fastKPeriod: this.fastKPeriod,
      slowKPeriod: this.slowKPeriod,
      slowDPeriod: this.slowDPeriod,
      range: this.#range.snapshot(),
      slowK: this.#slowK.toJSON(),
      slowD: this.#slowD.toJSON(),
    };
  }

  /** Returns a Stochastic restored from a toJSON snapshot; throws a DesError naming what is wrong. */
  static fromJSON(snapshot: unknown): Stochastic {
    const s = parseSnapshot("Stochastic", StochasticSnapshotSchema, snapshot);
    const stoch = new Stochastic(s.fastKPeriod, s.slowKPeriod, s.slowDPeriod);
    const slowK = restoreNested("Stochastic", "slowK", Sma.fromJSON, s.slowK);
    const slowD = restoreNested("Stochastic", "slowD", Sma.fromJSON, s.slowD);
    if (slowK.period !== stoch.slowKPeriod || slowD.period !== stoch.slowDPeriod) {
      throw invalidSnapshot("Stochastic", "slowK/slowD periods differ from slowKPeriod/slowDPeriod", {
        slowKPeriod: stoch.slowKPeriod,
        slowDPeriod: stoch.slowDPeriod,
        slowK: slowK.period,
        slowD: slowD.period,
      });
    }
    const problem = SlidingRange.problem(stoch.fastKPeriod, s.range);
    if (problem !== undefined) throw invalidSnapshot("Stochastic", `range: ${problem}`, { range: s.range });
    stoch.#range = SlidingRange.restore(stoch.fastKPeriod, s.range);
    stoch.#slowK = slowK;
    stoch.#slowD = slowD;
    return stoch;
  }
}

/** Returns v limited to 0..100 (NaN stays NaN): a running sum's rounding could step just outside. */
function clampPercent(v: number): number {
  return Math.min(100, Math.max(0, v));
}
