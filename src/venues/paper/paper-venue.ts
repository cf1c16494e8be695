import {
  type AccountId,
  accountId,
  type ClientOrderId,
  type Clock,
  type Decimal,
  type InstrumentId,
} from "../../core/index.ts";
import type {
  Bar,
  CancelResult,
  Instrument,
  MarketEvent,
  SubmitResult,
  TradeTick,
  VenueBalance,
  VenueCancelRequest,
  VenueEventListener,
  VenueOpenOrder,
  VenueOrderLookupStatus,
  VenueOrderRequest,
  VenuePort,
} from "../../model/index.ts";
import {
  type EngineOrderStatus,
  type FeeAssetMode,
  MatchingReason,
  type PaperMatchingConfig,
  PaperMatchingEngine,
} from "./matching/index.ts";

/** Closed orders whose final status queryOrder still answers (what the venue kept before the engine). */
const DEFAULT_CLOSED_ORDERS_RETAINED = 100_000;

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
  /** Which asset pays fees: "quote" (default, always the quote asset) or "received" (like Binance spot). */
  readonly feeAsset?: FeeAssetMode;
  /** Slippage against takers; default none. */
  readonly slippage?: PaperMatchingConfig["slippage"];
  /** Time from submit until an order reaches the book, on the market data's clock; default 0. */
  readonly latencyMicros?: number;
  /** Share in (0, 1] of each trade's / bar's volume an order may fill; default: fills are whole. */
  readonly participation?: string | Decimal;
  /** How many closed orders queryOrder remembers (default 100,000); when full the oldest is forgotten. */
  readonly closedOrdersRetained?: number;
}

/** What the paper venue has done, for metrics and tests. */
export interface PaperVenueStats {
  readonly ordersAccepted: number;
  readonly ordersRejected: number;
  readonly ordersCanceled: number;
  readonly ordersExpired: number;
  readonly fills: number;
  /** Market events it could not use (a non-positive price, an open or inconsistent bar, a stale bar). */
  readonly marketEventsIgnored: number;
  /** Listener calls that threw; the error is rethrown once the event has been fully processed. */
  readonly listenerFailures: number;
}

/**
 * A simulated spot venue: a VenuePort over the PaperMatchingEngine, which holds the orders and the
 * free/locked balances and fills orders (every spot type, GTC/IOC/FOK, stops) against the market
 * data the venue is fed. An order only fills on market data that arrives after it; fills, expiries
 * and late rejections reach the listeners as venue events once the market event has been processed.
 *
 * On top of the engine the venue drops stale bars: a bar that opened no later than the newest
 * trade or bar already seen for its instrument describes prices from before orders placed since,
 * so it would fill them on the past. It is counted in marketEventsIgnored.
 */
export class PaperVenue implements VenuePort {
  readonly accountId: AccountId;
  readonly #clock: Clock;
  readonly #engine: PaperMatchingEngine;
  /** Per instrument, the newest trade time or bar open time fed to the engine. */
  readonly #newestMarketTime = new Map<InstrumentId, number>();
  #staleBars = 0;

  /** Builds the venue; bad settings throw InvalidConfig naming the key. */
  constructor(config: PaperVenueConfig) {
    this.accountId = accountId(config.accountId ?? "paper");
    this.#clock = config.clock;
    this.#engine = new PaperMatchingEngine({
      clock: config.clock,
      instruments: [...config.instruments],
      initialBalances: config.initialBalances,
      makerFeeRate: config.makerFeeRate,
      takerFeeRate: config.takerFeeRate,
      feeAsset: config.feeAsset,
      slippage: config.slippage,
      latencyMicros: config.latencyMicros,
      participation: config.participation,
      closedOrdersRetained: config.closedOrdersRetained ?? DEFAULT_CLOSED_ORDERS_RETAINED,
    });
  }

  /** Validates and places an order; resolves with its acceptance or a rejection that says why. */
  submit(request: VenueOrderRequest): Promise<SubmitResult> {
    try {
      return Promise.resolve(this.#engine.submit(request));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Cancels an open order of the instrument and releases its reserved funds. */
  cancel(request: VenueCancelRequest): Promise<CancelResult> {
    try {
      const order = this.#engine.query(request.clientOrderId);
      if (order !== undefined && order.instrumentId !== request.instrumentId) {
        // Another instrument's order: to the caller, this order does not exist.
        return Promise.resolve({
          kind: "rejected",
          reason: MatchingReason.UnknownOrder,
          ts: this.#clock.now(),
        });
      }
      return Promise.resolve(this.#engine.cancel(request.clientOrderId));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Returns what the venue knows of an order: open, its final status, or absent (never placed or forgotten). */
  queryOrder(clientOrderId: ClientOrderId, instrumentId: InstrumentId): Promise<VenueOrderLookupStatus> {
    const order = this.#engine.query(clientOrderId);
    if (order === undefined || order.instrumentId !== instrumentId) return Promise.resolve("absent");
    return Promise.resolve(LOOKUP_STATUS[order.status]);
  }

  /** Returns the open orders, in arrival order. */
  openOrders(): Promise<readonly VenueOpenOrder[]> {
    return Promise.resolve(this.#engine.openOrders());
  }

  /** Returns free and locked balances per asset. */
  balances(): Promise<readonly VenueBalance[]> {
    return Promise.resolve(this.#engine.balances());
  }

  /** Returns one asset's balance now (synchronous view for the backtester and tests). */
  balance(asset: string): VenueBalance {
    return this.#engine.balance(asset);
  }

  /** Returns how many orders are open. */
  get openOrderCount(): number {
    return this.#engine.openOrderCount;
  }

  /** Returns a copy of the counters. */
  stats(): PaperVenueStats {
    const s = this.#engine.stats();
    return { ...s, marketEventsIgnored: s.marketEventsIgnored + this.#staleBars };
  }

  /** Registers a receiver of fills, expiries and late rejections; returns the function that removes it. */
  onEvent(listener: VenueEventListener): () => void {
    return this.#engine.onEvent(listener);
  }

  /** Feeds one market event (trade, book ticker, closed bar) to the matching engine; stale bars are dropped. */
  onMarketEvent(event: MarketEvent): void {
    if (event.kind === "bar") {
      if (event.closed) {
        const newest = this.#newestMarketTime.get(event.instrumentId);
        if (newest !== undefined && event.openTime <= newest) {
          this.#staleBars++;
          return;
        }
        this.#newestMarketTime.set(event.instrumentId, event.openTime);
      }
    } else if (event.kind === "trade" && event.price.isPositive()) {
      const newest = this.#newestMarketTime.get(event.instrumentId);
      if (newest === undefined || event.eventTime > newest) {
        this.#newestMarketTime.set(event.instrumentId, event.eventTime);
      }
    }
    this.#engine.onMarketEvent(event);
  }

  /** Matches open orders of the instrument against one trade. */
  onTrade(tick: TradeTick): void {
    this.onMarketEvent(tick);
  }

  /** Matches open orders of the instrument against one closed bar (open bars are ignored). */
  onBar(bar: Bar): void {
    this.onMarketEvent(bar);
  }
}

/** How queryOrder reports each engine status (an order waiting out its latency is already open). */
const LOOKUP_STATUS: Readonly<Record<EngineOrderStatus, VenueOrderLookupStatus>> = {
  PENDING: "open",
  NEW: "open",
  PARTIALLY_FILLED: "open",
  FILLED: "filled",
  CANCELED: "canceled",
  EXPIRED: "expired",
  REJECTED: "rejected",
};
