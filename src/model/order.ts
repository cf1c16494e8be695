import {
  type ClientOrderId,
  Decimal,
  type InstrumentId,
  Rounding,
  type StrategyId,
  type TradeId,
  type UnixMicros,
  type VenueOrderId,
} from "../core/index.ts";
import { OrderStatus, transitionOrderStatus } from "./order-status.ts";

export type OrderSide = "BUY" | "SELL";
export type OrderType =
  | "MARKET"
  | "LIMIT"
  | "STOP_LOSS"
  | "STOP_LOSS_LIMIT"
  | "TAKE_PROFIT"
  | "TAKE_PROFIT_LIMIT"
  | "LIMIT_MAKER";
export type TimeInForce = "GTC" | "IOC" | "FOK";
export type Liquidity = "MAKER" | "TAKER";

/** Returns the opposite side. */
export function oppositeSide(side: OrderSide): OrderSide {
  return side === "BUY" ? "SELL" : "BUY";
}

/** An order as DES tracks it. Mutated only through the functions below, which follow the status table. */
export interface Order {
  readonly clientOrderId: ClientOrderId;
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly price: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
  readonly timeInForce: TimeInForce;
  readonly createdAt: UnixMicros;
  status: OrderStatus;
  venueOrderId: VenueOrderId | undefined;
  filledQty: Decimal;
  /** Sum of price x quantity over fills, exact. */
  filledQuote: Decimal;
  updatedAt: UnixMicros;
}

/** What an order asks for, fixed when it is created (an intent in the journal, an order restored from it). */
export type OrderTerms = Pick<
  Order,
  | "clientOrderId"
  | "strategyId"
  | "instrumentId"
  | "side"
  | "type"
  | "quantity"
  | "price"
  | "stopPrice"
  | "timeInForce"
  | "createdAt"
>;

/** A fill an earlier run of DES booked for an order, as the journal recalls it. */
export interface BookedFill {
  readonly tradeId: TradeId;
  readonly quantity: Decimal;
  readonly price: Decimal;
}

/** Returns the average fill price, or undefined before the first fill. */
export function averageFillPrice(order: Order): Decimal | undefined {
  return order.filledQty.isZero() ? undefined : order.filledQuote.div(order.filledQty, Rounding.HalfEven);
}

/** Returns the quantity still open. */
export function remainingQty(order: Order): Decimal {
  return order.quantity.sub(order.filledQty);
}

/** Moves the order to a new status, enforcing the transition table. */
export function setOrderStatus(order: Order, to: OrderStatus, at: UnixMicros): void {
  order.status = transitionOrderStatus(order.status, to, order.clientOrderId);
  order.updatedAt = at;
}

/** Accumulates one fill into the order and moves it to PARTIALLY_FILLED or FILLED. */
export function applyFillToOrder(order: Order, qty: Decimal, price: Decimal, at: UnixMicros): void {
  order.filledQty = order.filledQty.add(qty);
  order.filledQuote = order.filledQuote.add(qty.mul(price));
  const to = order.filledQty.gte(order.quantity) ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
  setOrderStatus(order, to, at);
}

/** Creates an order in INITIALIZED status from a submit command. */
export function newOrder(cmd: {
  clientOrderId: ClientOrderId;
  strategyId: StrategyId;
  instrumentId: InstrumentId;
  side: OrderSide;
  type: OrderType;
  quantity: Decimal;
  price?: Decimal | undefined;
  stopPrice?: Decimal | undefined;
  timeInForce?: TimeInForce | undefined;
  createdAt: UnixMicros;
}): Order {
  return {
    clientOrderId: cmd.clientOrderId,
    strategyId: cmd.strategyId,
    instrumentId: cmd.instrumentId,
    side: cmd.side,
    type: cmd.type,
    quantity: cmd.quantity,
    price: cmd.price,
    stopPrice: cmd.stopPrice,
    timeInForce: cmd.timeInForce ?? "GTC",
    createdAt: cmd.createdAt,
    status: OrderStatus.Initialized,
    venueOrderId: undefined,
    filledQty: Decimal.ZERO,
    filledQuote: Decimal.ZERO,
    updatedAt: cmd.createdAt,
  };
}
