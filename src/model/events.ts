import type {
  AccountId,
  ClientOrderId,
  Decimal,
  ErrorCode,
  InstrumentId,
  StrategyId,
  TradeId,
  UnixMicros,
  VenueOrderId,
} from "../core/index.ts";
import type { Liquidity, OrderSide } from "./order.ts";
import type { OrderStatus } from "./order-status.ts";

interface OrderEventBase {
  readonly clientOrderId: ClientOrderId;
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly ts: UnixMicros;
}

export interface OrderSubmitted extends OrderEventBase {
  readonly kind: "OrderSubmitted";
}
export interface OrderAccepted extends OrderEventBase {
  readonly kind: "OrderAccepted";
  readonly venueOrderId: VenueOrderId;
}
export interface OrderRejected extends OrderEventBase {
  readonly kind: "OrderRejected";
  readonly reason: string;
}
/** Refused inside DES before reaching the venue (risk, filters, a paused strategy). */
export interface OrderDenied extends OrderEventBase {
  readonly kind: "OrderDenied";
  readonly reason: string;
}
export interface OrderCanceled extends OrderEventBase {
  readonly kind: "OrderCanceled";
}
export interface OrderExpired extends OrderEventBase {
  readonly kind: "OrderExpired";
  /** Why the venue expired it (IOC remainder, unpaid market order), when known. */
  readonly reason?: string;
}
/** One fill, carrying its own quantity; keyed by the venue's trade id so it applies exactly once. */
export interface OrderFilled extends OrderEventBase {
  readonly kind: "OrderFilled";
  readonly accountId: AccountId;
  readonly venueOrderId: VenueOrderId;
  readonly tradeId: TradeId;
  readonly side: OrderSide;
  readonly lastQty: Decimal;
  readonly lastPrice: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly liquidity: Liquidity;
  /** The order's status after this fill. */
  readonly orderStatus: OrderStatus;
}

/** Any order event. One topic carries them all so their order is kept. */
export type OrderEvent =
  | OrderSubmitted
  | OrderAccepted
  | OrderRejected
  | OrderDenied
  | OrderCanceled
  | OrderExpired
  | OrderFilled;

/** A strategy's decision. HOLD is recorded as a signal but never becomes an order. */
export interface Signal {
  readonly kind: "Signal";
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly action: "BUY" | "SELL" | "HOLD";
  readonly reason: string;
  readonly ts: UnixMicros;
}

/** A strategy failed (threw, rejected, timed out, hung) and was paused. */
export interface StrategyError {
  readonly kind: "StrategyError";
  readonly strategyId: StrategyId;
  readonly code: ErrorCode;
  readonly error: string;
  readonly stack: string | undefined;
  readonly ts: UnixMicros;
  /** Events that were waiting for the strategy and were dropped when it was paused. */
  readonly droppedEvents: number;
}

export type StrategyStatus = "CREATED" | "RUNNING" | "PAUSED" | "STOPPED" | "FAILED";

export interface StrategyStatusChanged {
  readonly kind: "StrategyStatusChanged";
  readonly strategyId: StrategyId;
  readonly from: StrategyStatus;
  readonly to: StrategyStatus;
  readonly reason: string;
  readonly ts: UnixMicros;
}

/** A position changed after a fill. */
export interface PositionChanged {
  readonly kind: "PositionChanged";
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  /** Signed quantity: positive long, negative short. */
  readonly quantity: Decimal;
  readonly averagePrice: Decimal;
  readonly realizedPnl: Decimal;
  readonly ts: UnixMicros;
}

/** A bus subscriber threw; the others still received the message. */
export interface SubscriberFailed {
  readonly kind: "SubscriberFailed";
  readonly topic: string;
  readonly subscriber: string;
  readonly error: string;
  readonly stack: string | undefined;
}

/** Which protection a ProtectionEvent is about. */
export type ProtectionTrigger = "stopLoss" | "takeProfit" | "trailingStop" | "profitTarget" | "maxLoss";

/**
 * What a protection did: armed or disarmed for a position, triggered (emulated exit sent, a native
 * order filled, a PnL target reached), re-armed after its exit order failed, gave up after too many
 * failures, or placed / canceled / lost a native order at the venue.
 */
export type ProtectionAction =
  | "armed"
  | "disarmed"
  | "triggered"
  | "rearmed"
  | "gave-up"
  | "native-placed"
  | "native-canceled"
  | "native-failed";

/** One thing the protective-order manager or the profit-target watcher did (docs/protective-orders.md). */
export interface ProtectionEvent {
  readonly kind: "ProtectionEvent";
  readonly action: ProtectionAction;
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly trigger?: ProtectionTrigger | undefined;
  /** The trigger level (a price; for a PnL target, the quote amount). */
  readonly level?: Decimal | undefined;
  /** What crossed the level: the market price, or the strategy's total PnL for a PnL target. */
  readonly observed?: Decimal | undefined;
  /** The quantity of the exit or native order. */
  readonly quantity?: Decimal | undefined;
  /** The exit or native order this is about. */
  readonly clientOrderId?: ClientOrderId | undefined;
  readonly detail: string;
  readonly ts: UnixMicros;
}
