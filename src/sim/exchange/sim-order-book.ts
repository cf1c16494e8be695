import type { Decimal } from "../../core/index.ts";

/** Side of the public book. */
export type BookSide = "bid" | "ask";

/** One public price level. */
export interface BookLevel {
  readonly price: Decimal;
  qty: Decimal;
}

/**
 * Returns the index of `units` in an array sorted ascending (or descending) by price units: the
 * level's index when found, else -(insertion point) - 1.
 */
function search(levels: readonly BookLevel[], units: bigint, ascending: boolean): number {
  let lo = 0;
  let hi = levels.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const u = (levels[mid] as BookLevel).price.units;
    if (u === units) return mid;
    if (u < units === ascending) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/**
 * A symbol's public order book (the market's liquidity, never the user's resting orders) with
 * Binance's update id. Each side is a sorted array with the best level LAST, so consuming the top of
 * the book is a pop; a level change is a binary search plus one splice. Size is bounded by what the
 * market data puts in (one entry per price level).
 */
export class SimOrderBook {
  /** Ascending prices: the best (highest) bid is last. */
  readonly #bids: BookLevel[] = [];
  /** Descending prices: the best (lowest) ask is last. */
  readonly #asks: BookLevel[] = [];
  /** The id of the last applied change (0 before any). */
  lastUpdateId = 0;

  /** Sets a level's absolute quantity; zero removes it. */
  set(side: BookSide, price: Decimal, qty: Decimal): void {
    const levels = side === "bid" ? this.#bids : this.#asks;
    const i = search(levels, price.units, side === "bid");
    if (i >= 0) {
      if (qty.isZero()) levels.splice(i, 1);
      else (levels[i] as BookLevel).qty = qty;
    } else if (!qty.isZero()) {
      levels.splice(-i - 1, 0, { price, qty });
    }
  }

  /** Returns the best level of a side, if any. */
  best(side: BookSide): BookLevel | undefined {
    const levels = side === "bid" ? this.#bids : this.#asks;
    return levels[levels.length - 1];
  }

  /** Returns the n-th level from the best (0 = best). */
  level(side: BookSide, n: number): BookLevel | undefined {
    const levels = side === "bid" ? this.#bids : this.#asks;
    return levels[levels.length - 1 - n];
  }

  /** Returns the number of levels on a side. */
  depth(side: BookSide): number {
    return side === "bid" ? this.#bids.length : this.#asks.length;
  }

  /** Returns up to `limit` levels of a side, best first. */
  top(side: BookSide, limit: number): BookLevel[] {
    const levels = side === "bid" ? this.#bids : this.#asks;
    const out: BookLevel[] = [];
    for (let i = levels.length - 1; i >= 0 && out.length < limit; i--) out.push(levels[i] as BookLevel);
    return out;
  }
}
