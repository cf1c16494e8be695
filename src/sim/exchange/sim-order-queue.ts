import type { Decimal } from "../../core/index.ts";
import type { SimOrder } from "./sim-order.ts";

/** The orders waiting at one price, oldest first. */
export interface QueueLevel {
  readonly key: Decimal;
  readonly orders: SimOrder[];
}

/**
 * User orders of one symbol and side in price-time priority, keyed by a price (the limit for resting
 * orders, the stop price for untriggered stops). Levels are sorted with the best one LAST, so the
 * engine works on the head in O(1); adding or removing is a binary search plus a splice. It holds
 * exactly the open orders, so it needs no bound of its own.
 */
export class SimOrderQueue {
  readonly #levels: QueueLevel[] = [];
  readonly #ascending: boolean;
  #size = 0;

  /** `bestIsHighest`: true for buy limits (and stops that trigger as the price falls). */
  constructor(bestIsHighest: boolean) {
    this.#ascending = bestIsHighest;
  }

  /** Returns the number of orders queued. */
  get size(): number {
    return this.#size;
  }

  #search(units: bigint): number {
    const levels = this.#levels;
    let lo = 0;
    let hi = levels.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const u = (levels[mid] as QueueLevel).key.units;
      if (u === units) return mid;
      if (u < units === this.#ascending) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  /** Adds an order behind the others at its price. */
  add(key: Decimal, order: SimOrder): void {
    const i = this.#search(key.units);
    if (i >= 0) (this.#levels[i] as QueueLevel).orders.push(order);
    else this.#levels.splice(-i - 1, 0, { key, orders: [order] });
    this.#size++;
  }

  /** Removes an order; returns false when it was not queued at that price. */
  remove(key: Decimal, order: SimOrder): boolean {
    const i = this.#search(key.units);
    if (i < 0) return false;
    const level = this.#levels[i] as QueueLevel;
    const at = level.orders.indexOf(order);
    if (at < 0) return false;
    level.orders.splice(at, 1);
    if (level.orders.length === 0) this.#levels.splice(i, 1);
    this.#size--;
    return true;
  }

  /** Returns the best price level, if any. */
  best(): QueueLevel | undefined {
    return this.#levels[this.#levels.length - 1];
  }

  /** Returns the first order of the best level, if any. */
  head(): SimOrder | undefined {
    return this.best()?.orders[0];
  }

  /** Removes the first order of the best level. */
  removeHead(): void {
    const level = this.best();
    if (level === undefined) return;
    level.orders.shift();
    this.#size--;
    if (level.orders.length === 0) this.#levels.pop();
  }
}
