import { type ClientOrderId, Decimal, type InstrumentId, type StrategyId } from "../core/index.ts";
import type { Order } from "../model/index.ts";

interface Book {
  /** Remaining quantity x limit (or stop) price of the priced orders. */
  priced: Decimal;
  /** Remaining quantity of the unpriced (market) orders per instrument, valued at the mark on demand. */
  readonly unpriced: Map<InstrumentId, Decimal>;
}

const ACCOUNT = "";

/**
 * The quote notional of the open, unfilled quantity of the orders execution has sent or queued, kept
 * up to date incrementally (O(1) per change, O(instruments) per read) so a risk check does not scan
 * every open order. Priced orders count at their limit (or stop) price, market orders at the mark.
 * Holds one entry per counted open order: bounded by the open orders, each removed when it closes.
 */
export class PendingExposure {
  readonly #remaining = new Map<ClientOrderId, Decimal>();
  readonly #books = new Map<string, Book>();

  /** Returns how many orders are counted. */
  get size(): number {
    return this.#remaining.size;
  }

  /** Counts a new open order with its whole quantity. */
  open(order: Readonly<Order>): void {
    if (this.#remaining.has(order.clientOrderId)) return;
    this.#remaining.set(order.clientOrderId, order.quantity);
    this.#apply(order, order.quantity);
  }

  /** Removes a fill's quantity (at most what remains) from the order's count. */
  filled(order: Readonly<Order>, quantity: Decimal): void {
    const left = this.#remaining.get(order.clientOrderId);
    if (left === undefined) return;
    const d = quantity.lt(left) ? quantity : left;
    this.#remaining.set(order.clientOrderId, left.sub(d));
    this.#apply(order, d.neg());
  }

  /** Stops counting a closed order (filled, canceled, expired, rejected); a no-op when not counted. */
  closed(order: Readonly<Order>): void {
    const left = this.#remaining.get(order.clientOrderId);
    if (left === undefined) return;
    this.#remaining.delete(order.clientOrderId);
    this.#apply(order, left.neg());
  }

  /** Returns the pending notional of one strategy, or of all; unpriced quantity without a mark counts nothing. */
  value(strategyId: StrategyId | undefined, mark: (i: InstrumentId) => Decimal | undefined): Decimal {
    const book = this.#books.get(strategyId ?? ACCOUNT);
    if (book === undefined) return Decimal.ZERO;
    let sum = book.priced;
    for (const [instrument, qty] of book.unpriced) {
      if (qty.isZero()) continue;
      const price = mark(instrument);
      if (price !== undefined) sum = sum.add(qty.mul(price));
    }
    return sum;
  }

  #apply(order: Readonly<Order>, delta: Decimal): void {
    this.#applyTo(order.strategyId, order, delta);
    this.#applyTo(ACCOUNT, order, delta);
  }

  #applyTo(key: string, order: Readonly<Order>, delta: Decimal): void {
    let book = this.#books.get(key);
    if (book === undefined) {
      book = { priced: Decimal.ZERO, unpriced: new Map() };
      this.#books.set(key, book);
    }
    const price = order.price ?? order.stopPrice;
    if (price !== undefined) {
      book.priced = book.priced.add(delta.mul(price));
      return;
    }
    book.unpriced.set(order.instrumentId, (book.unpriced.get(order.instrumentId) ?? Decimal.ZERO).add(delta));
  }
}
