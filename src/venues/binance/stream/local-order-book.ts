import type { Decimal, InstrumentId } from "../../../core/index.ts";
import type { BookLevel } from "../wire/parse-market-depth-levels.ts";

/** Returns the index of `units` in prices sorted by `dir` (1 ascending, -1 descending), or where it belongs (~index). */
function search(prices: bigint[], units: bigint, dir: 1 | -1): number {
  let lo = 0;
  let hi = prices.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = prices[mid]!;
    if (p === units) return mid;
    if (p < units === (dir === 1)) lo = mid + 1;
    else hi = mid - 1;
  }
  return ~lo;
}

/** One side of the book: a price-sorted array of keys beside a map from price units to the level. */
class BookSide {
  readonly #dir: 1 | -1;
  #prices: bigint[] = [];
  readonly #levels = new Map<bigint, BookLevel>();

  constructor(dir: 1 | -1) {
    this.#dir = dir;
  }

  get size(): number {
    return this.#prices.length;
  }

  clear(): void {
    this.#prices = [];
    this.#levels.clear();
  }

  /** Sets a level's quantity; zero removes the price. */
  set(level: BookLevel): void {
    const units = level.price.units;
    const i = search(this.#prices, units, this.#dir);
    if (level.quantity.isZero()) {
      if (i >= 0) {
        this.#prices.splice(i, 1);
        this.#levels.delete(units);
      }
      return;
    }
    if (i < 0) this.#prices.splice(~i, 0, units);
    this.#levels.set(units, level);
  }

  best(): BookLevel | undefined {
    const p = this.#prices[0];
    return p === undefined ? undefined : this.#levels.get(p);
  }

  top(n: number): BookLevel[] {
    const count = Math.min(n, this.#prices.length);
    const out: BookLevel[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = this.#levels.get(this.#prices[i]!)!;
    return out;
  }

  quantityAt(price: Decimal): Decimal | undefined {
    return this.#levels.get(price.units)?.quantity;
  }
}

/**
 * A local copy of one symbol's order book, kept in step with Binance's diff-depth stream by
 * OrderBookSync. Quantities are exact Decimals; levels are keyed by exact price, so "0.3513" and
 * "0.35130000" are the same level.
 */
export class LocalOrderBook {
  readonly instrumentId: InstrumentId;
  readonly #bids = new BookSide(-1);
  readonly #asks = new BookSide(1);
  #lastUpdateId = 0;

  constructor(instrumentId: InstrumentId) {
    this.instrumentId = instrumentId;
  }

  /** The update id of the last snapshot or diff applied (Binance's `lastUpdateId` / `u`). */
  get lastUpdateId(): number {
    return this.#lastUpdateId;
  }

  /** Number of bid price levels. */
  get bidDepth(): number {
    return this.#bids.size;
  }

  /** Number of ask price levels. */
  get askDepth(): number {
    return this.#asks.size;
  }

  /** Replaces the whole book with a snapshot. */
  reset(lastUpdateId: number, bids: readonly BookLevel[], asks: readonly BookLevel[]): void {
    this.#bids.clear();
    this.#asks.clear();
    for (const level of bids) this.#bids.set(level);
    for (const level of asks) this.#asks.set(level);
    this.#lastUpdateId = lastUpdateId;
  }

  /** Applies one diff: each level's quantity is set (zero removes it), then the update id becomes `finalUpdateId`. */
  apply(bids: readonly BookLevel[], asks: readonly BookLevel[], finalUpdateId: number): void {
    for (let i = 0; i < bids.length; i++) this.#bids.set(bids[i]!);
    for (let i = 0; i < asks.length; i++) this.#asks.set(asks[i]!);
    this.#lastUpdateId = finalUpdateId;
  }

  /** Empties the book (after a gap or a disconnect). */
  clear(): void {
    this.#bids.clear();
    this.#asks.clear();
    this.#lastUpdateId = 0;
  }

  /** Returns the highest bid, if any. */
  bestBid(): BookLevel | undefined {
    return this.#bids.best();
  }

  /** Returns the lowest ask, if any. */
  bestAsk(): BookLevel | undefined {
    return this.#asks.best();
  }

  /** Returns the best `n` bids, highest first. */
  topBids(n: number): BookLevel[] {
    return this.#bids.top(n);
  }

  /** Returns the best `n` asks, lowest first. */
  topAsks(n: number): BookLevel[] {
    return this.#asks.top(n);
  }

  /** Returns the quantity resting at a bid price, or undefined when the level is empty. */
  bidQuantity(price: Decimal): Decimal | undefined {
    return this.#bids.quantityAt(price);
  }

  /** Returns the quantity resting at an ask price, or undefined when the level is empty. */
  askQuantity(price: Decimal): Decimal | undefined {
    return this.#asks.quantityAt(price);
  }
}
