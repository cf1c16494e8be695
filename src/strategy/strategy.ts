import type { z } from "zod";
import type { ClientOrderId, Clock, Decimal, InstrumentId, StrategyId } from "../core/index.ts";
import type {
  Bar,
  BarInterval,
  Instrument,
  OrderFilled,
  OrderSide,
  OrderType,
  QuoteTick,
  TimeInForce,
  TradeTick,
} from "../model/index.ts";

/** What a handler may return: nothing (synchronous) or a promise (asynchronous work). */
export type HandlerResult = void | Promise<void>;

/** A strategy's decision on an instrument. HOLD is recorded but never becomes an order. */
export interface SignalRequest {
  readonly instrumentId: InstrumentId;
  readonly action: "BUY" | "SELL" | "HOLD";
  /** Quantity of the market order that a BUY or SELL becomes (required unless HOLD). */
  readonly quantity?: Decimal;
  readonly reason: string;
}

/** An order a strategy asks for directly (limit grids, take-profits). */
export interface OrderRequest {
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly price?: Decimal;
  readonly stopPrice?: Decimal;
  readonly timeInForce?: TimeInForce;
}

/** An order of this strategy that is still open at the venue, as the strategy sees it. */
export interface OpenOrderView {
  readonly clientOrderId: ClientOrderId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly price: Decimal | undefined;
}

/**
 * What a strategy can see and do. Strategies never call a venue: signals and orders become
 * commands on the bus, and go through execution like everything else.
 */
export interface StrategyContext {
  readonly strategyId: StrategyId;
  readonly clock: Clock;
  /** True while warm-up bars are being delivered: signals and orders are ignored then. */
  readonly isWarmingUp: boolean;
  /** Returns the instrument with its filters. */
  instrument(id: InstrumentId): Instrument | undefined;
  /** Returns this strategy's signed position (positive long, negative short). */
  position(id: InstrumentId): Decimal;
  /** Returns this strategy's open orders on the instrument. */
  openOrders(id: InstrumentId): readonly OpenOrderView[];
  /** Records a signal; BUY/SELL with a quantity becomes a market order, HOLD never does. */
  signal(request: SignalRequest): void;
  /** Sends an order; returns its client order id. Ignored (returns undefined) during warm-up. */
  submitOrder(request: OrderRequest): ClientOrderId | undefined;
  /** Asks to cancel one of this strategy's orders. */
  cancelOrder(clientOrderId: ClientOrderId): void;
  /** Marks the strategy's state as changed, so the engine saves it soon. */
  markStateChanged(): void;
}

/**
 * A running strategy instance. Every hook is optional; each is called with events in order,
 * one at a time. A hook may be async; the engine bounds how many run at once.
 */
export interface Strategy<P = unknown> {
  onStart?(ctx: StrategyContext): HandlerResult;
  /** Called with closed bars of the subscribed interval only. */
  onBar?(bar: Bar, ctx: StrategyContext): HandlerResult;
  /** Called with trade ticks when the strategy subscribes to them. */
  onTrade?(tick: TradeTick, ctx: StrategyContext): HandlerResult;
  onQuote?(quote: QuoteTick, ctx: StrategyContext): HandlerResult;
  /** Called with each fill of this strategy's orders. */
  onOrderFilled?(fill: OrderFilled, ctx: StrategyContext): HandlerResult;
  onStop?(ctx: StrategyContext): HandlerResult;
  /** Returns a JSON-serialisable snapshot of the strategy's state. */
  getState?(): unknown;
  /** Restores a snapshot returned by getState (after a restart). */
  setState?(state: unknown): void;
  /** Applies new, already validated parameters without a restart. */
  updateParams?(params: P): void;
}

/** Which market data a strategy instance receives. */
export interface StrategySubscriptions {
  /** Closed bars of these intervals. */
  readonly bars: readonly BarInterval[];
  /** Trade ticks too. */
  readonly trades?: boolean;
  /** Quote ticks too. */
  readonly quotes?: boolean;
  /** Historical closed bars (of bars[0]) delivered before live data, with isWarmingUp true. */
  readonly warmupBars?: number;
}

/** A kind of strategy: its name, its validated parameters and how to make an instance. */
export interface StrategyDefinition<P = unknown> {
  /** The name used in configuration ("ma_cross"). */
  readonly name: string;
  readonly description: string;
  /** The parameter schema; parameters are validated with it at creation and on hot update. */
  readonly params: z.ZodType<P>;
  /** Returns the market data an instance needs. */
  subscriptions(params: P, interval: BarInterval): StrategySubscriptions;
  /** Creates an instance from validated parameters. */
  create(params: P): Strategy<P>;
}
