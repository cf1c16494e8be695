import { Decimal, Rounding } from "../../core/index.ts";
import type { SimLevel } from "../exchange/sim-exchange-api.ts";
import { WIRE_DECIMALS } from "./kline-series.ts";
import type { SeededRandom } from "./seeded-random.ts";

/** Distances of the synthetic levels from the last price, in ticks: dense at the top, sparser deeper. */
const OFFSETS_TICKS = [1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 30, 40, 50, 65, 80, 100, 130, 160];

/** A book change as absolute level quantities ("0" removes a level). */
export interface BookDiff {
  readonly bids: SimLevel[];
  readonly asks: SimLevel[];
}

/**
 * A synthetic public book kept around the last trade price: `levels` bids below and asks above it on
 * the tick grid, each with a random size around the given level size (a multiple of the step). Each
 * refresh returns the diff that moves the exchange's book there: levels that left the window go to
 * "0", the window's levels get new sizes. It remembers only the prices it set (at most 2 x levels); a
 * level a user order consumed in between is simply set again (or to "0", which is harmless).
 */
export class SyntheticBook {
  readonly #tick: Decimal;
  readonly #step: Decimal;
  readonly #levels: number;
  readonly #rng: SeededRandom;
  readonly #bids = new Set<string>();
  readonly #asks = new Set<string>();

  constructor(tick: Decimal, step: Decimal, levels: number, rng: SeededRandom) {
    this.#tick = tick;
    this.#step = step;
    this.#levels = Math.max(1, Math.min(OFFSETS_TICKS.length, levels));
    this.#rng = rng;
  }

  /** Returns the diff that centres the book on the price with sizes around levelSize. */
  refresh(price: Decimal, levelSize: Decimal): BookDiff {
    const bids = this.#side(this.#bids, price, levelSize, -1);
    const asks = this.#side(this.#asks, price, levelSize, 1);
    return { bids, asks };
  }

  #side(current: Set<string>, price: Decimal, levelSize: Decimal, direction: 1 | -1): SimLevel[] {
    const wanted = new Map<string, string>();
    for (let i = 0; i < this.#levels; i++) {
      const offset = Decimal.fromUnits(this.#tick.units * BigInt((OFFSETS_TICKS[i] as number) * direction));
      const p = price.add(offset).roundToIncrement(this.#tick, Rounding.HalfEven);
      if (!p.isPositive()) break;
      const factor = Decimal.fromNumber(0.5 + this.#rng.next(), 4);
      let q = levelSize.mul(factor).roundToIncrement(this.#step, Rounding.Down);
      if (q.lt(this.#step)) q = this.#step;
      wanted.set(p.toFixed(WIRE_DECIMALS), q.toFixed(WIRE_DECIMALS));
    }
    const diff: SimLevel[] = [];
    for (const p of current) if (!wanted.has(p)) diff.push([p, "0.00000000"]);
    current.clear();
    for (const [p, q] of wanted) {
      current.add(p);
      diff.push([p, q]);
    }
    return diff;
  }
}
