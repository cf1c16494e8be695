import { type ClientOrderId, Decimal, type InstrumentId, type StrategyId } from "../core/index.ts";
import type { Order } from "../model/index.ts";

/** The open quantity of unpriced (market) orders in one instrument. */
interface UnpricedQuantity {
  readonly instrumentId: InstrumentId;
  quantity: Decimal;
}

interface Book {
  /** Remaining quantity x limit (or stop) price of the priced orders. */
  priced: Decimal;
  /** Remaining quantity of the unpriced (market) orders per instrument, valued at the mark on demand. */
  readonly unpriced: Map<InstrumentId, UnpricedQuantity>;
  /** The same entries as a list, so a read walks them without an iterator. */
  readonly unpricedList: UnpricedQuantity[];
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
    this.#apply(order, order.quantity, true);
  }

  /** Removes a fill's quantity (at most what remains) from the order's count. */
  filled(order: Readonly<Order>, quantity: Decimal): void {
    const left = this.#remaining.get(order.clientOrderId);
    if (left === undefined) return;
    const d = quantity.lt(left) ? quantity : left;
    this.#remaining.set(order.clientOrderId, left.sub(d));
    this.#apply(order, d, false);
  }

  /** Stops counting a closed order (filled, canceled, expired, rejected); a no-op when not counted. */
  closed(order: Readonly<Order>): void {
    const left = this.#remaining.get(order.clientOrderId);
    if (left === undefined) return;
    this.#remaining.delete(order.clientOrderId);
    this.#apply(order, left, false);
  }

  /** Returns the pending notional of one strategy, or of all; unpriced quantity without a mark counts nothing. */
  value(strategyId: StrategyId | undefined, mark: (i: InstrumentId) => Decimal | undefined): Decimal {
    const book = this.#books.get(strategyId ?? ACCOUNT);
    if (book === undefined) return Decimal.ZERO;
    let sum = book.priced;
    const list = book.unpricedList;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (entry.quantity.isZero()) continue;
      const price = mark(entry.instrumentId);
      if (price !== undefined) sum = sum.add(entry.quantity.mul(price));
    }
    return sum;
  }

  /** Adds (or removes) a quantity of the order to its strategy's book and the account's. */
  #apply(order: Readonly<Order>, quantity: Decimal, adding: boolean): void {
    const price = order.price ?? order.stopPrice;
    // A product rounds half-even, symmetric in sign: removing q x p undoes adding it exactly.
    const notional = price === undefined ? undefined : quantity.mul(price);
    this.#applyTo(order.strategyId, order.instrumentId, quantity, notional, adding);
    this.#applyTo(ACCOUNT, order.instrumentId, quantity, notional, adding);
  }

  #applyTo(
    key: string,
    instrumentId: InstrumentId,
    quantity: Decimal,
    notional: Decimal | undefined,
    adding: boolean,
  ): void {
    let book = this.#books.get(key);
    if (book === undefined) {
      book = { priced: Decimal.ZERO, unpriced: new Map(), unpricedList: [] };
      this.#books.set(key, book);
    }
    if (notional !== undefined) {
      book.priced = adding ? book.priced.add(notional) : book.priced.sub(notional);
      return;
    }
    let entry = book.unpriced.get(instrumentId);
    if (entry === undefined) {
      entry = { instrumentId, quantity: Decimal.ZERO };
      book.unpriced.set(instrumentId, entry);
      book.unpricedList.push(entry);
    }
    entry.quantity = adding ? entry.quantity.add(quantity) : entry.quantity.sub(quantity);
  }
}
