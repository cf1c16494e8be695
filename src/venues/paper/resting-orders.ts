import type { ClientOrderId, Decimal, InstrumentId, VenueOrderId } from "../../core/index.ts";
import type { OrderSide, OrderType } from "../../model/index.ts";

/** An order the paper venue holds open. */
export interface PaperOrder {
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  /** The limit price; undefined for market orders. */
  readonly price: Decimal | undefined;
  /** Arrival sequence: time priority between orders at the same price. */
  readonly seq: number;
  /**
   * The instrument's latest market time when the order arrived (-Infinity before any data).
   * A bar that opened at or before it describes prices the order never saw, so it cannot fill it.
   */
  readonly placedAfter: number;
  filledQty: Decimal;
  /** The asset and amount still reserved for this order. */
  readonly lockedAsset: string;
  locked: Decimal;
}

/** The open orders of one instrument. */
export interface InstrumentBook {
  /** Orders that have not rested yet: market orders, and limits marketable on arrival, until their first event. */
  readonly fresh: PaperOrder[];
  /** Resting buy limits, best (highest) price first, then by arrival. */
  readonly bids: PaperOrder[];
  /** Resting sell limits, best (lowest) price first, then by arrival. */
  readonly asks: PaperOrder[];
}

/**
 * The paper venue's open orders, per instrument, in price-time priority. A crossing price only has
 * to walk the front of a side until the first order it does not reach, so a deep grid costs little
 * per market event. Unbounded by design: it holds exactly the orders the account has open.
 */
export class RestingOrders {
  readonly #books = new Map<InstrumentId, InstrumentBook>();
  readonly #byId = new Map<ClientOrderId, PaperOrder>();

  /** Returns the number of open orders. */
  get size(): number {
    return this.#byId.size;
  }

  /** Returns the open order with this client order id. */
  get(id: ClientOrderId): PaperOrder | undefined {
    return this.#byId.get(id);
  }

  /** Returns the instrument's book, or undefined when it has no open orders yet. */
  book(instrumentId: InstrumentId): InstrumentBook | undefined {
    return this.#books.get(instrumentId);
  }

  /** Adds a new order; it waits in `fresh` until its first market event. */
  add(order: PaperOrder): void {
    this.#byId.set(order.clientOrderId, order);
    this.#bookOf(order.instrumentId).fresh.push(order);
  }

  /** Moves a limit order from `fresh` into its side of the book, keeping price-time priority. */
  rest(order: PaperOrder): void {
    const book = this.#bookOf(order.instrumentId);
    removeFrom(book.fresh, order);
    const side = order.side === "BUY" ? book.bids : book.asks;
    side.splice(insertionIndex(side, order), 0, order);
  }

  /** Removes an order wherever it is; returns false when it was not open. */
  remove(order: PaperOrder): boolean {
    if (this.#byId.get(order.clientOrderId) !== order) return false;
    this.#byId.delete(order.clientOrderId);
    const book = this.#bookOf(order.instrumentId);
    if (!removeFrom(book.fresh, order) && !removeFrom(book.bids, order)) removeFrom(book.asks, order);
    return true;
  }

  /** Returns every open order, in arrival order. */
  all(): PaperOrder[] {
    return [...this.#byId.values()].sort((a, b) => a.seq - b.seq);
  }

  #bookOf(instrumentId: InstrumentId): InstrumentBook {
    let book = this.#books.get(instrumentId);
    if (book === undefined) {
      book = { fresh: [], bids: [], asks: [] };
      this.#books.set(instrumentId, book);
    }
    return book;
  }
}

function removeFrom(list: PaperOrder[], order: PaperOrder): boolean {
  const i = list.indexOf(order);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/** Returns where the order goes: after every order with a better or equal price. */
function insertionIndex(side: PaperOrder[], order: PaperOrder): number {
  const price = order.price!;
  const better = order.side === "BUY" ? 1 : -1;
  let lo = 0;
  let hi = side.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // Orders at the same price keep arrival order: the newcomer goes behind them.
    if (side[mid]!.price!.cmp(price) * better >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
