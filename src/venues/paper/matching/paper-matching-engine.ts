import {
  type ClientOrderId,
  type Clock,
  Decimal,
  type InstrumentId,
  Rounding,
  toError,
  tradeId,
  type UnixMicros,
  venueOrderId,
} from "../../../core/index.ts";
import {
  type CancelResult,
  type Instrument,
  type Liquidity,
  type MarketEvent,
  type OrderSide,
  roundQuantity,
  type SubmitResult,
  type VenueBalance,
  type VenueEvent,
  type VenueEventListener,
  type VenueOpenOrder,
  type VenueOrderCanceled,
  type VenueOrderRequest,
} from "../../../model/index.ts";
import { type EngineOrder, type EngineOrderStatus, type EngineOrderView, viewOf } from "./engine-order.ts";
import {
  eventSize,
  makerFillPrice,
  marketTime,
  type TriggerDirection,
  takerPrice,
  triggerDirection,
  triggerPrice,
  unusableReason,
} from "./market-view.ts";
import { MatchingBalances } from "./matching-balances.ts";
import {
  type PaperMatchingConfig,
  type ResolvedMatchingConfig,
  resolveMatchingConfig,
} from "./matching-config.ts";
import { PriceTimeQueue } from "./price-time-queue.ts";
import { MatchingReason } from "./reject-reasons.ts";
import { slipPrice } from "./slippage.ts";
import { effectiveTimeInForce, isStopType, validateOrder } from "./validate-order.ts";

/** Counters of what the engine did. */
export interface PaperMatchingStats {
  ordersAccepted: number;
  ordersRejected: number;
  ordersCanceled: number;
  ordersExpired: number;
  fills: number;
  /** Market events that could not be matched against (open bars, bad prices), each skipped. */
  marketEventsIgnored: number;
  listenerFailures: number;
}

/** The liquidity an event still offers orders of each side; undefined: unlimited. */
interface Pools {
  BUY: Decimal | undefined;
  SELL: Decimal | undefined;
}

/** One instrument's orders and latest market state. */
interface InstrumentBook {
  readonly instrument: Instrument;
  /** Orders waiting out the latency, in submit order (activeAt never decreases with a monotone clock). */
  pending: EngineOrder[];
  pendingHead: number;
  /** Orders that take from the next market event (market orders, marketable limits, IOC/FOK). */
  takers: EngineOrder[];
  readonly bids: PriceTimeQueue<EngineOrder>;
  readonly asks: PriceTimeQueue<EngineOrder>;
  readonly stops: Readonly<Record<StopQueueKey, PriceTimeQueue<EngineOrder>>>;
  /** The last trade price or bar close. */
  lastPrice: Decimal | undefined;
  bid: Decimal | undefined;
  ask: Decimal | undefined;
}

type StopQueueKey = `${TriggerDirection}-${OrderSide}`;
const STOP_KEYS: readonly StopQueueKey[] = ["below-BUY", "below-SELL", "above-BUY", "above-SELL"];
/** The stop queues with their direction and side parsed once (the hot path must not split strings). */
const STOP_QUEUES: ReadonlyArray<{ key: StopQueueKey; direction: TriggerDirection; side: OrderSide }> =
  STOP_KEYS.map((key) => {
    const [direction, side] = key.split("-") as [TriggerDirection, OrderSide];
    return { key, direction, side };
  });

const byPrice = (o: EngineOrder): Decimal => o.price!;
const byStop = (o: EngineOrder): Decimal => o.stopPrice!;

/**
 * A synchronous matching engine for paper trading: it holds orders and balances and fills orders
 * against the market data it is fed (trades, book tickers, closed bars), like a Binance spot account
 * would be filled by that market. Results come back from submit/cancel; what happens on market events
 * (fills, expiries, rejections after a latency) goes to the listeners, after the engine has finished
 * the call, so a listener may call back into the engine.
 *
 * Per market event the work is proportional to the orders it touches plus O(log n) per filled or
 * triggered order: books and stops are price-time queues whose best entry is found in O(1).
 */
export class PaperMatchingEngine {
  readonly #clock: Clock;
  readonly #config: ResolvedMatchingConfig;
  /** Fee reserve a resting BUY locks on top of price x quantity (zero when fees are paid in the base asset). */
  readonly #limitFeeReserve: Decimal;
  readonly #marketFeeReserve: Decimal;
  readonly #books = new Map<InstrumentId, InstrumentBook>();
  readonly #balances = new MatchingBalances();
  /** Open orders in arrival order. */
  readonly #open = new Map<ClientOrderId, EngineOrder>();
  /** Recently closed orders for query(); bounded by closedOrdersRetained, the oldest is forgotten first. */
  readonly #closed = new Map<ClientOrderId, EngineOrder>();
  readonly #closedRing: EngineOrder[] = [];
  #closedHead = 0;
  readonly #stats: PaperMatchingStats = {
    ordersAccepted: 0,
    ordersRejected: 0,
    ordersCanceled: 0,
    ordersExpired: 0,
    fills: 0,
    marketEventsIgnored: 0,
    listenerFailures: 0,
  };
  #listeners: VenueEventListener[] = [];
  /** Events produced by the current call, delivered when it finishes (unbounded: one call's worth). */
  #outbox: VenueEvent[] = [];
  #flushing = false;
  #listenerError: unknown;
  #seq = 0;
  #orderSeq = 0;
  #tradeSeq = 0;

  /** Builds the engine; bad settings throw InvalidConfig naming the key. */
  constructor(config: PaperMatchingConfig) {
    this.#clock = config.clock;
    this.#config = resolveMatchingConfig(config);
    const quoteFees = this.#config.feeAsset === "quote";
    this.#limitFeeReserve = quoteFees
      ? Decimal.max(this.#config.makerFeeRate, this.#config.takerFeeRate)
      : Decimal.ZERO;
    this.#marketFeeReserve = quoteFees ? this.#config.takerFeeRate : Decimal.ZERO;
    for (const [asset, amount] of this.#config.initialBalances) this.#balances.credit(asset, amount);
    for (const instrument of config.instruments) {
      const stops = {} as Record<StopQueueKey, PriceTimeQueue<EngineOrder>>;
      // "below" stops fire as the price falls: the highest stop fires first; "above" the reverse.
      for (const key of STOP_KEYS) stops[key] = new PriceTimeQueue(byStop, key.startsWith("below"));
      this.#books.set(instrument.id, {
        instrument,
        pending: [],
        pendingHead: 0,
        takers: [],
        bids: new PriceTimeQueue(byPrice, true),
        asks: new PriceTimeQueue(byPrice, false),
        stops,
        lastPrice: undefined,
        bid: undefined,
        ask: undefined,
      });
    }
  }

  /** Registers a receiver of fills, expiries and late rejections; returns the function that removes it. */
  onEvent(listener: VenueEventListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Validates the order, locks what it can spend and places it (at once without latency, else at the
   * first market event at or after submit time + latency). Fills always come from later market events.
   */
  submit(request: VenueOrderRequest): SubmitResult {
    const ts = this.#clock.now();
    const result = this.#submit(request, ts);
    this.#flush();
    return result;
  }

  /** Cancels an open order and releases what it locked; an unknown or closed order is a rejection. */
  cancel(clientOrderId: ClientOrderId): CancelResult {
    const ts = this.#clock.now();
    const order = this.#open.get(clientOrderId);
    if (order === undefined) return { kind: "rejected", reason: MatchingReason.UnknownOrder, ts };
    this.#close(order, "CANCELED", undefined);
    this.#stats.ordersCanceled++;
    return { kind: "canceled", ts };
  }

  /** Cancels every open order (of one instrument when given); returns what it canceled, in arrival order. */
  cancelAll(instrumentId?: InstrumentId): VenueOrderCanceled[] {
    const ts = this.#clock.now();
    const out: VenueOrderCanceled[] = [];
    for (const order of [...this.#open.values()]) {
      if (instrumentId !== undefined && order.instrumentId !== instrumentId) continue;
      this.#close(order, "CANCELED", undefined);
      this.#stats.ordersCanceled++;
      out.push({
        kind: "canceled",
        clientOrderId: order.clientOrderId,
        venueOrderId: order.venueOrderId,
        instrumentId: order.instrumentId,
        ts,
      });
    }
    return out;
  }

  /** Returns the open orders in arrival order. */
  openOrders(): VenueOpenOrder[] {
    const out: VenueOpenOrder[] = [];
    for (const o of this.#open.values()) {
      out.push({
        clientOrderId: o.clientOrderId,
        venueOrderId: o.venueOrderId,
        instrumentId: o.instrumentId,
        side: o.side,
        type: o.type,
        quantity: o.quantity,
        price: o.price,
        filledQty: o.filledQty,
      });
    }
    return out;
  }

  /** Returns how many orders are open (pending, resting, waiting to take, or waiting for their stop). */
  get openOrderCount(): number {
    return this.#open.size;
  }

  /** Returns the open orders with their engine state (status, locked amount) in arrival order. */
  openOrderViews(): EngineOrderView[] {
    return [...this.#open.values()].map(viewOf);
  }

  /** Returns an open or recently closed order, or undefined when the engine does not know it. */
  query(clientOrderId: ClientOrderId): EngineOrderView | undefined {
    const order = this.#open.get(clientOrderId) ?? this.#closed.get(clientOrderId);
    return order === undefined ? undefined : viewOf(order);
  }

  /** Returns every asset's free and locked balance, sorted by asset. */
  balances(): VenueBalance[] {
    return this.#balances.snapshot();
  }

  /** Returns one asset's balance. */
  balance(asset: string): VenueBalance {
    return { asset, free: this.#balances.free(asset), locked: this.#balances.locked(asset) };
  }

  /** Returns a copy of the counters. */
  stats(): PaperMatchingStats {
    return { ...this.#stats };
  }

  /**
   * Matches the instrument's orders against one market event: orders whose latency ran out join the
   * book, fresh takers take, resting limits fill when the event reaches them, stops fire. Events of
   * unknown instruments are ignored; unusable ones (open bars, bad prices) are counted and skipped.
   */
  onMarketEvent(event: MarketEvent): void {
    const book = this.#books.get(event.instrumentId);
    if (book === undefined) return;
    if (unusableReason(event) !== undefined) {
      this.#stats.marketEventsIgnored++;
      return;
    }
    this.#activatePending(book, marketTime(event));
    const pools: Pools = { BUY: this.#pool(book, event, "BUY"), SELL: this.#pool(book, event, "SELL") };
    // Fresh takers first (they arrived before this event), then resting limits, then the stops the
    // event fires, which trade on the same event.
    this.#takeFresh(book, event, pools);
    this.#matchResting(book.bids, event, pools);
    this.#matchResting(book.asks, event, pools);
    this.#triggerStops(book, event, pools);
    if (event.kind === "quote") {
      book.bid = event.bid;
      book.ask = event.ask;
    } else {
      book.lastPrice = event.kind === "trade" ? event.price : event.close;
    }
    this.#flush();
  }

  #submit(req: VenueOrderRequest, ts: UnixMicros): SubmitResult {
    const reject = (reason: string): SubmitResult => {
      this.#stats.ordersRejected++;
      return { kind: "rejected", reason, ts };
    };
    if (this.#open.has(req.clientOrderId)) return reject(MatchingReason.Duplicate);
    const book = this.#books.get(req.instrumentId);
    if (book === undefined) return reject(MatchingReason.InvalidSymbol);
    const why = validateOrder(book.instrument, req, book.lastPrice ?? touch(book, req.side));
    if (why !== undefined) return reject(why);
    const lock = this.#lockFor(book, req);
    if (!this.#balances.lock(lock.asset, lock.amount)) return reject(MatchingReason.InsufficientBalance);
    const order: EngineOrder = {
      clientOrderId: req.clientOrderId,
      venueOrderId: venueOrderId(++this.#orderSeq),
      instrumentId: req.instrumentId,
      side: req.side,
      type: req.type,
      quantity: req.quantity,
      price: req.price,
      stopPrice: req.stopPrice,
      timeInForce: effectiveTimeInForce(req),
      seq: ++this.#seq,
      submittedAt: ts,
      activeAt: ts + this.#config.latencyMicros,
      status: "PENDING",
      place: "pending",
      expireUntaken: false,
      filledQty: Decimal.ZERO,
      filledQuote: Decimal.ZERO,
      lockedAsset: lock.asset,
      locked: lock.amount,
      reason: undefined,
    };
    this.#closed.delete(order.clientOrderId);
    this.#open.set(order.clientOrderId, order);
    if (this.#config.latencyMicros === 0) {
      const rejection = this.#activate(book, order);
      if (rejection !== undefined) {
        this.#close(order, "REJECTED", rejection);
        return reject(rejection);
      }
    } else {
      book.pending.push(order);
    }
    this.#stats.ordersAccepted++;
    return { kind: "accepted", venueOrderId: order.venueOrderId, fills: [], ts };
  }

  /**
   * Returns what the order reserves: the base quantity for a sell; for a buy, price x quantity plus the
   * fee reserve, at the limit price, else at the stop price, else at the latest price (nothing before any
   * price: such a market buy is checked when it fills).
   */
  #lockFor(book: InstrumentBook, req: VenueOrderRequest): { asset: string; amount: Decimal } {
    const inst = book.instrument;
    if (req.side === "SELL") return { asset: inst.baseAsset, amount: req.quantity };
    const limit = req.price;
    const ref = limit ?? req.stopPrice ?? touch(book, "BUY") ?? book.lastPrice ?? Decimal.ZERO;
    const reserve = limit !== undefined ? this.#limitFeeReserve : this.#marketFeeReserve;
    return {
      asset: inst.quoteAsset,
      amount: req.quantity.mul(ref).mul(Decimal.ONE.add(reserve), Rounding.Up),
    };
  }

  /** Puts an order whose latency ran out where it belongs; returns a rejection reason instead when the market forbids it. */
  #activate(book: InstrumentBook, o: EngineOrder): string | undefined {
    if (isStopType(o.type)) {
      const direction = triggerDirection(o.type, o.side);
      // Binance compares the stop with the last traded price.
      const ref = book.lastPrice ?? touch(book, o.side);
      const stop = o.stopPrice!;
      if (ref !== undefined && (direction === "below" ? ref.lte(stop) : ref.gte(stop))) {
        return MatchingReason.WouldTriggerImmediately;
      }
      o.status = "NEW";
      o.place = "stop";
      book.stops[`${direction}-${o.side}`].insert(o);
      return undefined;
    }
    const against = touch(book, o.side) ?? book.lastPrice;
    const marketable =
      o.price === undefined ||
      against === undefined ||
      (o.side === "BUY" ? against.lte(o.price) : against.gte(o.price));
    if (o.type === "LIMIT_MAKER") {
      if (against !== undefined && marketable) return MatchingReason.WouldMatchAndTake;
      o.status = "NEW";
      this.#rest(book, o);
      return undefined;
    }
    o.status = "NEW";
    if (!marketable && o.timeInForce === "GTC") {
      this.#rest(book, o);
      return undefined;
    }
    // Not marketable IOC/FOK: the venue expires it; the engine says so at the next event, never
    // before submit has answered.
    o.expireUntaken = !marketable;
    o.place = "taker";
    book.takers.push(o);
    return undefined;
  }

  #activatePending(book: InstrumentBook, time: number): void {
    const pending = book.pending;
    if (pending.length === 0) return;
    while (book.pendingHead < pending.length) {
      const o = pending[book.pendingHead]!;
      if (o.place === "pending" && o.activeAt > time) break;
      book.pendingHead++;
      if (o.place !== "pending") continue; // canceled while waiting
      const rejection = this.#activate(book, o);
      if (rejection !== undefined) this.#rejectLate(o, rejection);
    }
    if (book.pendingHead === pending.length) {
      book.pending = [];
      book.pendingHead = 0;
    } else if (book.pendingHead > 1024 && book.pendingHead * 2 > pending.length) {
      book.pending = pending.slice(book.pendingHead);
      book.pendingHead = 0;
    }
  }

  /** Returns the event's liquidity for one side: size x participation on the step grid; undefined is unlimited. */
  #pool(book: InstrumentBook, event: MarketEvent, side: OrderSide): Decimal | undefined {
    const share = this.#config.participation;
    // Trades and bars fill completely without participation; a book ticker never offers more than its touch.
    if (share === undefined && event.kind !== "quote") return undefined;
    const size = eventSize(event, side);
    return roundQuantity(book.instrument, share === undefined ? size : size.mul(share, Rounding.Down));
  }

  #takeFresh(book: InstrumentBook, event: MarketEvent, pools: Pools): void {
    if (book.takers.length === 0) return;
    const takers = book.takers;
    book.takers = [];
    for (const o of takers) {
      if (o.place !== "taker") continue;
      this.#take(book, o, takerPrice(event, o.side), pools);
    }
  }

  /** Lets a taker (fresh or just triggered) trade at `ref` with the event's remaining liquidity. */
  #take(book: InstrumentBook, o: EngineOrder, ref: Decimal, pools: Pools): void {
    if (o.expireUntaken) {
      this.#expire(o, o.timeInForce === "FOK" ? MatchingReason.FokExpired : MatchingReason.IocExpired);
      return;
    }
    const limit = o.price;
    const buy = o.side === "BUY";
    if (limit === undefined || (buy ? ref.lte(limit) : ref.gte(limit))) {
      let price = slipPrice(ref, o.side, this.#config.slippage, book.instrument.tickSize);
      // A limit never fills worse than its price, slippage or not.
      if (limit !== undefined) price = buy ? Decimal.min(price, limit) : Decimal.max(price, limit);
      const remaining = o.quantity.sub(o.filledQty);
      const avail = pools[o.side];
      const qty = avail === undefined ? remaining : Decimal.min(remaining, avail);
      if (limit !== undefined && o.timeInForce === "FOK" && qty.lt(remaining)) {
        this.#expire(o, MatchingReason.FokExpired);
        return;
      }
      if (qty.isPositive() && !this.#fill(o, qty, price, "TAKER", pools)) return;
      if (o.place === "closed") return;
    }
    if (limit === undefined) {
      // A market order keeps taking from the next events until it is filled.
      o.place = "taker";
      book.takers.push(o);
    } else if (o.timeInForce === "GTC") {
      this.#rest(book, o);
    } else {
      this.#expire(o, o.timeInForce === "FOK" ? MatchingReason.FokExpired : MatchingReason.IocExpired);
    }
  }

  #matchResting(side: PriceTimeQueue<EngineOrder>, event: MarketEvent, pools: Pools): void {
    for (;;) {
      const o = side.best();
      if (o === undefined) return;
      const price = makerFillPrice(event, o.side, o.price!);
      // The queue is in price order: once the best is out of reach, every other order is too.
      if (price === undefined) return;
      const avail = pools[o.side];
      if (avail !== undefined && !avail.isPositive()) return;
      const remaining = o.quantity.sub(o.filledQty);
      const qty = avail === undefined ? remaining : Decimal.min(remaining, avail);
      // A failed fill expired the order (and took it out of the queue): go on with the next one.
      if (this.#fill(o, qty, price, "MAKER", pools) && o.place !== "closed") return;
    }
  }

  #triggerStops(book: InstrumentBook, event: MarketEvent, pools: Pools): void {
    let fired: Array<{ order: EngineOrder; ref: Decimal }> | undefined;
    for (const { key, direction, side } of STOP_QUEUES) {
      const queue = book.stops[key];
      if (queue.size === 0) continue;
      for (;;) {
        const o = queue.best();
        if (o === undefined) break;
        const ref = triggerPrice(event, side, direction, o.stopPrice!);
        if (ref === undefined) break;
        queue.popBest();
        o.place = "taker";
        fired ??= [];
        fired.push({ order: o, ref });
      }
    }
    if (fired === undefined) return;
    fired.sort((a, b) => a.order.seq - b.order.seq);
    for (const { order, ref } of fired) this.#take(book, order, ref, pools);
  }

  #rest(book: InstrumentBook, o: EngineOrder): void {
    o.place = "book";
    (o.side === "BUY" ? book.bids : book.asks).insert(o);
  }

  /**
   * Books one fill: takes the cost from the order's reservation (and from free funds for what a market
   * buy's estimate did not cover), credits what it buys, charges the fee, emits the fill. Returns false
   * after expiring the order when the account cannot pay.
   */
  #fill(o: EngineOrder, qty: Decimal, price: Decimal, liquidity: Liquidity, pools: Pools): boolean {
    const inst = this.#books.get(o.instrumentId)!.instrument;
    const notional = qty.mul(price);
    const rate = liquidity === "MAKER" ? this.#config.makerFeeRate : this.#config.takerFeeRate;
    let fee: Decimal;
    let feeAsset: string;
    if (o.side === "BUY") {
      const quoteFee = this.#config.feeAsset === "quote";
      fee = quoteFee ? notional.mul(rate) : qty.mul(rate);
      feeAsset = quoteFee ? inst.quoteAsset : inst.baseAsset;
      if (!this.#consume(o, inst.quoteAsset, quoteFee ? notional.add(fee) : notional)) {
        this.#expire(o, MatchingReason.InsufficientBalance);
        return false;
      }
      this.#balances.credit(inst.baseAsset, quoteFee ? qty : qty.sub(fee));
    } else {
      fee = notional.mul(rate);
      feeAsset = inst.quoteAsset;
      if (!this.#consume(o, inst.baseAsset, qty)) {
        this.#expire(o, MatchingReason.InsufficientBalance);
        return false;
      }
      this.#balances.credit(inst.quoteAsset, notional.sub(fee));
    }
    const avail = pools[o.side];
    if (avail !== undefined) pools[o.side] = avail.sub(qty);
    o.filledQty = o.filledQty.add(qty);
    o.filledQuote = o.filledQuote.add(notional);
    const filled = o.filledQty.gte(o.quantity);
    o.status = filled ? "FILLED" : "PARTIALLY_FILLED";
    this.#stats.fills++;
    const ts = this.#clock.now();
    this.#outbox.push({
      kind: "fill",
      fill: {
        clientOrderId: o.clientOrderId,
        venueOrderId: o.venueOrderId,
        instrumentId: o.instrumentId,
        tradeId: tradeId(`${ts}-${++this.#tradeSeq}`),
        side: o.side,
        quantity: qty,
        price,
        commission: fee,
        commissionAsset: feeAsset,
        liquidity,
        cumulativeQty: o.filledQty,
        ts,
      },
    });
    if (filled) this.#close(o, "FILLED", undefined);
    return true;
  }

  /** Takes amount of asset for a fill: from the order's reservation first, the rest from free funds. */
  #consume(o: EngineOrder, asset: string, amount: Decimal): boolean {
    const fromLock = Decimal.min(amount, o.locked);
    const extra = amount.sub(fromLock);
    if (extra.isPositive() && this.#balances.free(asset).lt(extra)) return false;
    if (fromLock.isPositive()) {
      this.#balances.spendLocked(asset, fromLock);
      o.locked = o.locked.sub(fromLock);
    }
    if (extra.isPositive()) this.#balances.debit(asset, extra);
    return true;
  }

  #expire(o: EngineOrder, reason: string): void {
    this.#close(o, "EXPIRED", reason);
    this.#stats.ordersExpired++;
    this.#outbox.push({
      kind: "expired",
      clientOrderId: o.clientOrderId,
      venueOrderId: o.venueOrderId,
      instrumentId: o.instrumentId,
      reason,
      ts: this.#clock.now(),
    });
  }

  #rejectLate(o: EngineOrder, reason: string): void {
    this.#close(o, "REJECTED", reason);
    this.#stats.ordersRejected++;
    this.#outbox.push({
      kind: "rejected",
      clientOrderId: o.clientOrderId,
      instrumentId: o.instrumentId,
      reason,
      ts: this.#clock.now(),
    });
  }

  /** Takes an open order out of wherever it waits, releases its reservation and remembers it as closed. */
  #close(o: EngineOrder, status: EngineOrderStatus, reason: string | undefined): void {
    const book = this.#books.get(o.instrumentId)!;
    if (o.place === "book") (o.side === "BUY" ? book.bids : book.asks).remove(o);
    else if (o.place === "stop") book.stops[`${triggerDirection(o.type, o.side)}-${o.side}`].remove(o);
    // pending and taker lists drop closed orders lazily when they next walk them.
    o.place = "closed";
    o.status = status;
    o.reason = reason;
    if (o.locked.isPositive()) {
      this.#balances.release(o.lockedAsset, o.locked);
      o.locked = Decimal.ZERO;
    }
    this.#open.delete(o.clientOrderId);
    if (this.#config.closedOrdersRetained === 0) return;
    this.#closed.set(o.clientOrderId, o);
    const cap = this.#config.closedOrdersRetained;
    if (this.#closedRing.length < cap) {
      this.#closedRing.push(o);
      return;
    }
    const oldest = this.#closedRing[this.#closedHead]!;
    if (this.#closed.get(oldest.clientOrderId) === oldest) this.#closed.delete(oldest.clientOrderId);
    this.#closedRing[this.#closedHead] = o;
    this.#closedHead = (this.#closedHead + 1) % cap;
  }

  /** Delivers the call's events; a failing listener is counted, the others still run, then its error is rethrown. */
  #flush(): void {
    if (this.#flushing || this.#outbox.length === 0) return;
    this.#flushing = true;
    try {
      // Listeners may call back into the engine; events that adds are delivered by this same loop.
      for (let i = 0; i < this.#outbox.length; i++) {
        const event = this.#outbox[i]!;
        for (const listener of this.#listeners) {
          try {
            listener(event);
          } catch (err) {
            this.#stats.listenerFailures++;
            this.#listenerError ??= err;
          }
        }
      }
    } finally {
      this.#outbox = [];
      this.#flushing = false;
    }
    if (this.#listenerError !== undefined) {
      const err = toError(this.#listenerError);
      this.#listenerError = undefined;
      throw err;
    }
  }
}

/** Returns the touch an order of this side would trade against (ask for a buy, bid for a sell), if a quote was seen. */
function touch(book: InstrumentBook, side: OrderSide): Decimal | undefined {
  return side === "BUY" ? book.ask : book.bid;
}
