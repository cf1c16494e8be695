import type { Decimal } from "../../../core/index.ts";

/**
 * Orders sorted by a price key, then by arrival (`seq`), with the best at the END of the array so
 * taking the best is an O(1) pop. Insert and remove find their place by binary search (O(log n)
 * comparisons, plus the array shift). Unbounded by design: it holds exactly the account's open orders.
 */
export class PriceTimeQueue<T extends { readonly seq: number }> {
  readonly #items: T[] = [];
  readonly #key: (item: T) => Decimal;
  readonly #sign: 1 | -1;

  /** `higherIsBetter`: bids and "trigger when price <= stop" stops; false for asks and the other stops. */
  constructor(key: (item: T) => Decimal, higherIsBetter: boolean) {
    this.#key = key;
    this.#sign = higherIsBetter ? 1 : -1;
  }

  /** Returns how many items the queue holds. */
  get size(): number {
    return this.#items.length;
  }

  /** Returns the best item (best price, then earliest arrival), or undefined when empty. */
  best(): T | undefined {
    const n = this.#items.length;
    // Never read index -1: V8 treats it as a named property and takes a slow lookup path.
    return n === 0 ? undefined : this.#items[n - 1];
  }

  /** Removes and returns the best item. */
  popBest(): T | undefined {
    return this.#items.pop();
  }

  /** Adds an item at its price-time place. */
  insert(item: T): void {
    this.#items.splice(this.#lowerBound(item), 0, item);
  }

  /** Removes the item; returns false when it is not in the queue. */
  remove(item: T): boolean {
    const i = this.#lowerBound(item);
    if (this.#items[i] !== item) return false;
    this.#items.splice(i, 1);
    return true;
  }

  /** Returns the items, best first (a copy). */
  bestFirst(): T[] {
    return this.#items.slice().reverse();
  }

  /** Returns > 0 when a ranks better than b: better key, then earlier arrival. */
  #compare(a: T, b: T): number {
    const c = this.#key(a).cmp(this.#key(b)) * this.#sign;
    return c !== 0 ? c : b.seq - a.seq;
  }

  /** Returns the first index whose item ranks at least as well as `item` (items run worst to best). */
  #lowerBound(item: T): number {
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(this.#items[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
