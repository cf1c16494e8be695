import {
  type AccountId,
  accountId,
  type ClientOrderId,
  type Clock,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  Rounding,
  toError,
  tradeId,
  venueOrderId,
} from "../../core/index.ts";
import {
  type Bar,
  type CancelResult,
  checkFilters,
  type Instrument,
  type MarketEvent,
  type SubmitResult,
  type TradeTick,
  type VenueBalance,
  type VenueCancelRequest,
  type VenueEvent,
  type VenueEventListener,
  type VenueOpenOrder,
  type VenueOrderLookupStatus,
  type VenueOrderRequest,
  type VenuePort,
} from "../../model/index.ts";
import { type MatchedPrice, matchPrice } from "./match-price.ts";
import { PaperBalances } from "./paper-balances.ts";
import { type PaperOrder, RestingOrders } from "./resting-orders.ts";

/** Closed orders whose final status queryOrder still answers. */
const CLOSED_STATUSES_KEPT = 100_000;

/** How a paper venue is set up. */
export interface PaperVenueConfig {
  readonly clock: Clock;
  /** The instruments it trades, with their filters. */
  readonly instruments: Iterable<Instrument>;
  /** Starting balances per asset, as decimal strings ({ USDT: "10000" }). */
  readonly initialBalances?: Readonly<Record<string, string | Decimal>>;
  /** Fee rate of fills that add liquidity (resting limits); default 0.001 (0.1 %). */
  readonly makerFeeRate?: string | Decimal;
  /** Fee rate of fills that take liquidity (market orders, marketable limits); default 0.001. */
  readonly takerFeeRate?: string | Decimal;
  /** The account id fills are booked to; default "paper". */
  readonly accountId?: string;
}

/** What the paper venue has done, for metrics and tests. */
export interface PaperVenueStats {
  readonly ordersAccepted: number;
  readonly ordersRejected: number;
  readonly ordersCanceled: number;
  readonly ordersExpired: number;
  readonly fills: number;
  /** Market events it could not use (a non-positive price, an open bar, an inconsistent bar). */
  readonly marketEventsIgnored: number;
  /** Listener calls that threw; the error is rethrown once the event has been fully processed. */
  readonly listenerFailures: number;
}

const DEFAULT_FEE_RATE = "0.001";
const INSUFFICIENT_BALANCE = "Account has insufficient balance for requested action";

/**
 * A simulated spot venue: fills MARKET and LIMIT orders against the market data it is fed
 * (trade ticks and closed bars), charges maker/taker fees in the quote asset, and keeps
 * free/locked balances per asset.
 *
 * Fill rules (see matchPrice): an order only fills on market data that arrives after it, so a
 * market order placed before any data waits for the next trade or bar and never fills at a
 * placeholder price. Fills are whole (no volume limits, no partial fills), and there is no latency
 * or slippage model yet: the full matching engine (stops, IOC/FOK, partial fills) grows from
 * these files.
 */
export class PaperVenue implements VenuePort {
  readonly accountId: AccountId;
  readonly #clock: Clock;
  readonly #instruments = new Map<InstrumentId, Instrument>();
  readonly #balances: PaperBalances;
  readonly #orders = new RestingOrders();
  /** Final statuses of closed orders, for queryOrder; the oldest is forgotten beyond CLOSED_STATUSES_KEPT. */
  readonly #closedStatus = new Map<ClientOrderId, VenueOrderLookupStatus>();
  readonly #makerFeeRate: Decimal;
  readonly #takerFeeRate: Decimal;
  /** Fee rate used to reserve funds for a limit buy, which may fill as maker or taker. */
  readonly #reserveFeeRate: Decimal;
  readonly #lastMarketTime = new Map<InstrumentId, number>();
  readonly #lastPrice = new Map<InstrumentId, Decimal>();
  #listeners: VenueEventListener[] = [];
  #listenerError: unknown;
  #orderSeq = 0;
  #tradeSeq = 0;
  #seq = 0;
  readonly #stats = {
    ordersAccepted: 0,
    ordersRejected: 0,
    ordersCanceled: 0,
    ordersExpired: 0,
    fills: 0,
    marketEventsIgnored: 0,
    listenerFailures: 0,
  };

  constructor(config: PaperVenueConfig) {
    this.#clock = config.clock;
    this.accountId = accountId(config.accountId ?? "paper");
    for (const inst of config.instruments) this.#instruments.set(inst.id, inst);
    this.#balances = new PaperBalances(config.initialBalances ?? {});
    this.#makerFeeRate = feeRate("makerFeeRate", config.makerFeeRate);
    this.#takerFeeRate = feeRate("takerFeeRate", config.takerFeeRate);
    this.#reserveFeeRate = Decimal.max(this.#makerFeeRate, this.#takerFeeRate);
  }

  /** Validates and places an order; resolves with its acceptance or a rejection that says why. */
  submit(request: VenueOrderRequest): Promise<SubmitResult> {
    const reason = this.#place(request);
    const ts = this.#clock.now();
    if (reason !== undefined) {
      this.#stats.ordersRejected++;
      return Promise.resolve({ kind: "rejected", reason, ts });
    }
    this.#stats.ordersAccepted++;
    const order = this.#orders.get(request.clientOrderId)!;
    return Promise.resolve({ kind: "accepted", venueOrderId: order.venueOrderId, fills: [], ts });
  }

  /** Cancels an open order and releases its reserved funds. */
  cancel(request: VenueCancelRequest): Promise<CancelResult> {
    const ts = this.#clock.now();
    const order = this.#orders.get(request.clientOrderId);
    if (order === undefined || order.instrumentId !== request.instrumentId) {
      return Promise.resolve({ kind: "rejected", reason: "Unknown order sent.", ts });
    }
    this.#close(order);
    this.#rememberClosed(order.clientOrderId, "canceled");
    this.#stats.ordersCanceled++;
    return Promise.resolve({ kind: "canceled", ts });
  }

  /** Returns what the venue knows of an order: open, its final status, or absent (never placed or forgotten). */
  queryOrder(clientOrderId: ClientOrderId, instrumentId: InstrumentId): Promise<VenueOrderLookupStatus> {
    const open = this.#orders.get(clientOrderId);
    if (open !== undefined) return Promise.resolve(open.instrumentId === instrumentId ? "open" : "absent");
    return Promise.resolve(this.#closedStatus.get(clientOrderId) ?? "absent");
  }

  /** Returns the open orders, in arrival order. */
  openOrders(): Promise<readonly VenueOpenOrder[]> {
    return Promise.resolve(
      this.#orders.all().map((o) => ({
        clientOrderId: o.clientOrderId,
        venueOrderId: o.venueOrderId,
        instrumentId: o.instrumentId,
        side: o.side,
        type: o.type,
        quantity: o.quantity,
        price: o.price,
        filledQty: o.filledQty,
      })),
    );
  }

  /** Returns free and locked balances per asset. */
  balances(): Promise<readonly VenueBalance[]> {
    return Promise.resolve(this.#balances.snapshot());
  }

  /** Returns one asset's balance now (synchronous view for the backtester and tests). */
  balance(asset: string): VenueBalance {
    return { asset, free: this.#balances.free(asset), locked: this.#balances.locked(asset) };
  }

  /** Returns how many orders are open. */
  get openOrderCount(): number {
    return this.#orders.size;
  }

  /** Returns a copy of the counters. */
  stats(): PaperVenueStats {
    return { ...this.#stats };
  }

  /** Registers a receiver of fills and expiries; returns the function that removes it. */
  onEvent(listener: VenueEventListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Feeds one market event: trades and closed bars match orders; quotes are not used yet. */
  onMarketEvent(event: MarketEvent): void {
    if (event.kind === "trade") this.onTrade(event);
    else if (event.kind === "bar") this.onBar(event);
  }

  /** Matches open orders of the instrument against one trade. */
  onTrade(tick: TradeTick): void {
    if (!tick.price.isPositive()) {
      this.#stats.marketEventsIgnored++;
      return;
    }
    this.#match(tick.instrumentId, tick);
    this.#advanceMarketTime(tick.instrumentId, tick.eventTime);
    this.#lastPrice.set(tick.instrumentId, tick.price);
    this.#rethrowListenerError();
  }

  /** Matches open orders of the instrument against one closed bar (open bars are ignored). */
  onBar(bar: Bar): void {
    if (!bar.closed || !isConsistentBar(bar)) {
      this.#stats.marketEventsIgnored++;
      return;
    }
    this.#match(bar.instrumentId, bar);
    this.#advanceMarketTime(bar.instrumentId, bar.closeTime);
    this.#lastPrice.set(bar.instrumentId, bar.close);
    this.#rethrowListenerError();
  }

  #advanceMarketTime(instrumentId: InstrumentId, time: number): void {
    const last = this.#lastMarketTime.get(instrumentId);
    if (last === undefined || time > last) this.#lastMarketTime.set(instrumentId, time);
  }

  /** Returns why the order cannot be placed, or undefined after placing it. */
  #place(req: VenueOrderRequest): string | undefined {
    if (this.#orders.get(req.clientOrderId) !== undefined) return "Duplicate order sent.";
    const inst = this.#instruments.get(req.instrumentId);
    if (inst === undefined) return `Invalid symbol: ${req.instrumentId} is not traded on this paper venue`;
    if (inst.status !== "TRADING") return `${inst.id} is not trading (status ${inst.status})`;
    if (req.side !== "BUY" && req.side !== "SELL") return `Invalid side: ${String(req.side)}`;
    if (req.type !== "MARKET" && req.type !== "LIMIT") {
      return `order type ${req.type} is not supported by the paper venue yet (MARKET and LIMIT are)`;
    }
    if (req.stopPrice !== undefined) return `stopPrice is not allowed on a ${req.type} order`;
    const lastPrice = this.#lastPrice.get(inst.id);
    let refPrice: Decimal;
    if (req.type === "LIMIT") {
      if (req.price === undefined) return "LIMIT order needs a price";
      if (req.timeInForce !== undefined && req.timeInForce !== "GTC") {
        return `timeInForce ${req.timeInForce} is not supported by the paper venue yet (GTC is)`;
      }
      const filterFailure = checkFilters(inst, req.quantity, req.price);
      if (filterFailure !== undefined) return `Filter failure: ${filterFailure}`;
      refPrice = req.price;
    } else {
      if (req.price !== undefined) return "MARKET order must not have a price";
      const filterFailure = checkFilters(inst, req.quantity, undefined);
      if (filterFailure !== undefined) return `Filter failure: ${filterFailure}`;
      // Binance applies the notional filter to market orders at the recent average price.
      if (lastPrice !== undefined) {
        const notional = req.quantity.mul(lastPrice);
        if (notional.lt(inst.minNotional)) {
          return `Filter failure: notional ${notional} at last price ${lastPrice} below minNotional ${inst.minNotional}`;
        }
      }
      refPrice = lastPrice ?? Decimal.ZERO;
    }
    // Reserve what the order can spend. A market buy before any price is known reserves nothing;
    // its cost is checked at fill time, and it expires if the account cannot pay then.
    let lockedAsset: string;
    let locked: Decimal;
    if (req.side === "BUY") {
      lockedAsset = inst.quoteAsset;
      const feeRate = req.type === "MARKET" ? this.#takerFeeRate : this.#reserveFeeRate;
      locked = req.quantity.mul(refPrice).mul(Decimal.ONE.add(feeRate), Rounding.Up);
    } else {
      lockedAsset = inst.baseAsset;
      locked = req.quantity;
    }
    if (!this.#balances.lock(lockedAsset, locked)) {
      return `${INSUFFICIENT_BALANCE}: needs ${locked} ${lockedAsset}, free ${this.#balances.free(lockedAsset)}`;
    }
    const order: PaperOrder = {
      clientOrderId: req.clientOrderId,
      venueOrderId: venueOrderId(++this.#orderSeq),
      instrumentId: inst.id,
      side: req.side,
      type: req.type,
      quantity: req.quantity,
      price: req.type === "LIMIT" ? req.price : undefined,
      seq: ++this.#seq,
      placedAfter: this.#lastMarketTime.get(inst.id) ?? -Infinity,
      filledQty: Decimal.ZERO,
      lockedAsset,
      locked,
    };
    this.#orders.add(order);
    // A limit that the last price does not reach rests at once; one that it reaches (or one placed
    // before any price) is marketable on arrival and takes the next price, as a taker.
    if (order.price !== undefined && lastPrice !== undefined) {
      const marketable = order.side === "BUY" ? lastPrice.lte(order.price) : lastPrice.gte(order.price);
      if (!marketable) this.#orders.rest(order);
    }
    return undefined;
  }

  #match(instrumentId: InstrumentId, event: TradeTick | Bar): void {
    const book = this.#orders.book(instrumentId);
    if (book === undefined) return;
    // Resting orders were in the book before the fresh ones arrived: they match first.
    if (book.bids.length > 0) this.#matchResting(book.bids, event);
    if (book.asks.length > 0) this.#matchResting(book.asks, event);
    if (book.fresh.length === 0) return;
    for (const order of book.fresh.slice()) {
      if (!isAfterPlacement(order, event)) continue;
      const matched = matchPrice(order, event, true);
      if (matched !== undefined) this.#fill(order, matched);
      else this.#orders.rest(order);
    }
  }

  #matchResting(side: PaperOrder[], event: TradeTick | Bar): void {
    let hits: Array<{ order: PaperOrder; matched: MatchedPrice }> | undefined;
    for (const order of side) {
      const matched = matchPrice(order, event, false);
      // The side is in price order: once a price is out of reach, every later one is too.
      if (matched === undefined) break;
      if (!isAfterPlacement(order, event)) continue;
      hits ??= [];
      hits.push({ order, matched });
    }
    if (hits === undefined) return;
    for (const hit of hits) this.#fill(hit.order, hit.matched);
  }

  #fill(order: PaperOrder, matched: MatchedPrice): void {
    const inst = this.#instruments.get(order.instrumentId)!;
    const qty = order.quantity.sub(order.filledQty);
    const notional = qty.mul(matched.price);
    const fee = notional.mul(matched.liquidity === "MAKER" ? this.#makerFeeRate : this.#takerFeeRate);
    // The reservation was an estimate (a market buy, or a limit that fills at a better price):
    // give it back and take the exact amounts.
    if (order.locked.isPositive()) {
      this.#balances.release(order.lockedAsset, order.locked);
      order.locked = Decimal.ZERO;
    }
    if (order.side === "BUY") {
      const cost = notional.add(fee);
      if (!this.#balances.debit(inst.quoteAsset, cost)) {
        this.#expire(
          order,
          `${INSUFFICIENT_BALANCE}: fill at ${matched.price} needs ${cost} ${inst.quoteAsset}, free ${this.#balances.free(inst.quoteAsset)}`,
        );
        return;
      }
      this.#balances.credit(inst.baseAsset, qty);
    } else {
      if (!this.#balances.debit(inst.baseAsset, qty)) {
        this.#expire(
          order,
          `${INSUFFICIENT_BALANCE}: fill needs ${qty} ${inst.baseAsset}, free ${this.#balances.free(inst.baseAsset)}`,
        );
        return;
      }
      this.#balances.credit(inst.quoteAsset, notional.sub(fee));
    }
    order.filledQty = order.filledQty.add(qty);
    this.#orders.remove(order);
    this.#rememberClosed(order.clientOrderId, "filled");
    this.#stats.fills++;
    const now = this.#clock.now();
    this.#emit({
      kind: "fill",
      fill: {
        clientOrderId: order.clientOrderId,
        venueOrderId: order.venueOrderId,
        instrumentId: order.instrumentId,
        tradeId: tradeId(`${now}-${++this.#tradeSeq}`),
        side: order.side,
        quantity: qty,
        price: matched.price,
        commission: fee,
        commissionAsset: inst.quoteAsset,
        liquidity: matched.liquidity,
        cumulativeQty: order.filledQty,
        ts: now,
      },
    });
  }

  #expire(order: PaperOrder, reason: string): void {
    this.#close(order);
    this.#rememberClosed(order.clientOrderId, "expired");
    this.#stats.ordersExpired++;
    this.#emit({
      kind: "expired",
      clientOrderId: order.clientOrderId,
      venueOrderId: order.venueOrderId,
      instrumentId: order.instrumentId,
      reason,
      ts: this.#clock.now(),
    });
  }

  #rememberClosed(clientOrderId: ClientOrderId, status: VenueOrderLookupStatus): void {
    this.#closedStatus.set(clientOrderId, status);
    if (this.#closedStatus.size > CLOSED_STATUSES_KEPT) {
      const oldest = this.#closedStatus.keys().next().value;
      if (oldest !== undefined) this.#closedStatus.delete(oldest);
    }
  }

  /** Removes an open order and gives back what it still reserves. */
  #close(order: PaperOrder): void {
    this.#orders.remove(order);
    if (order.locked.isPositive()) {
      this.#balances.release(order.lockedAsset, order.locked);
      order.locked = Decimal.ZERO;
    }
  }

  #emit(event: VenueEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        // One failing listener must not leave the book half-matched: finish, then rethrow.
        this.#stats.listenerFailures++;
        this.#listenerError ??= err;
      }
    }
  }

  #rethrowListenerError(): void {
    if (this.#listenerError === undefined) return;
    const err = toError(this.#listenerError);
    this.#listenerError = undefined;
    throw err;
  }
}

/** Returns true when the event describes prices after the order arrived (a bar must open after it). */
function isAfterPlacement(order: PaperOrder, event: TradeTick | Bar): boolean {
  return event.kind === "trade" || event.openTime > order.placedAfter;
}

function isConsistentBar(bar: Bar): boolean {
  return (
    bar.low.isPositive() &&
    bar.low.lte(bar.open) &&
    bar.low.lte(bar.close) &&
    bar.high.gte(bar.open) &&
    bar.high.gte(bar.close)
  );
}

function feeRate(key: string, raw: string | Decimal | undefined): Decimal {
  let rate: Decimal;
  try {
    rate = Decimal.from(raw ?? DEFAULT_FEE_RATE);
  } catch (err) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `paper venue ${key}: expected a decimal string, got ${JSON.stringify(String(raw))}`,
      { key, value: String(raw) },
      { cause: err },
    );
  }
  if (rate.isNegative() || rate.gte(Decimal.ONE)) {
    throw new DesError(ErrorCode.InvalidConfig, `paper venue ${key} must be in [0, 1), got ${rate}`, {
      key,
      value: rate.toString(),
    });
  }
  return rate;
}
