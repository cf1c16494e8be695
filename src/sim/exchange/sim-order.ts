import type { Decimal } from "../../core/index.ts";
import type { SimSymbol } from "./sim-symbol.ts";

/** Order side as Binance names it. */
export type SimSide = "BUY" | "SELL";
/** Spot order types the simulator takes (reference section 4.7). */
export type SimOrderType =
  | "LIMIT"
  | "MARKET"
  | "STOP_LOSS"
  | "STOP_LOSS_LIMIT"
  | "TAKE_PROFIT"
  | "TAKE_PROFIT_LIMIT"
  | "LIMIT_MAKER";
export type SimTimeInForce = "GTC" | "IOC" | "FOK";
export type SimRespType = "ACK" | "RESULT" | "FULL";
/** The order statuses the simulator produces (a subset of Binance's enum). */
export type SimOrderStatus = "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "EXPIRED";

/**
 * One order as the exchange keeps it. Mutable on purpose: the matching engine updates the filled
 * amounts and the lock in place on every fill, with no copy on the hot path.
 */
export interface SimOrder {
  readonly accountId: string;
  readonly symbol: SimSymbol;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: SimSide;
  readonly type: SimOrderType;
  /** "GTC" for the types that take no timeInForce, as Binance reports them. */
  readonly timeInForce: SimTimeInForce;
  /** Base quantity; for a quoteOrderQty market order, the quantity the book gave it. */
  origQty: Decimal;
  /** Limit price (zero for market-type orders). */
  readonly price: Decimal;
  /** Trigger price (zero when the type has none). */
  readonly stopPrice: Decimal;
  readonly icebergQty: Decimal;
  readonly origQuoteOrderQty: Decimal;
  readonly selfTradePreventionMode: string;
  executedQty: Decimal;
  cumQuote: Decimal;
  status: SimOrderStatus;
  /** Creation time, ms. */
  readonly time: number;
  updateTime: number;
  /** When the order started working (placed, or triggered for a stop); -1 before. */
  workingTime: number;
  /** The asset reserved for the order (quote for buys, base for sells) and how much is still reserved. */
  readonly lockAsset: string;
  locked: Decimal;
  /** Price per unit of remaining quantity that a buy's lock holds (the limit, or the stop for stop-market buys). */
  lockPrice: Decimal;
  expiryReason: string | undefined;
}

/** Returns true for the types that wait for a trigger before they work. */
export function isStopType(type: SimOrderType): boolean {
  return (
    type === "STOP_LOSS" ||
    type === "STOP_LOSS_LIMIT" ||
    type === "TAKE_PROFIT" ||
    type === "TAKE_PROFIT_LIMIT"
  );
}

/** Returns true when the order executes as a market order once working (MARKET, STOP_LOSS, TAKE_PROFIT). */
export function isMarketType(type: SimOrderType): boolean {
  return type === "MARKET" || type === "STOP_LOSS" || type === "TAKE_PROFIT";
}

/** Returns true while the order can still fill or be canceled. */
export function isOpenStatus(status: SimOrderStatus): boolean {
  return status === "NEW" || status === "PARTIALLY_FILLED";
}

/** Returns the quantity still to fill. */
export function remainingQty(order: SimOrder): Decimal {
  return order.origQty.sub(order.executedQty);
}

/**
 * Returns true when a stop order triggers at this last price: STOP_LOSS SELL and TAKE_PROFIT BUY when
 * the price falls to the stop or below, STOP_LOSS BUY and TAKE_PROFIT SELL when it rises to it or above.
 */
export function triggersWhenAtOrBelow(type: SimOrderType, side: SimSide): boolean {
  const stopLoss = type === "STOP_LOSS" || type === "STOP_LOSS_LIMIT";
  return stopLoss ? side === "SELL" : side === "BUY";
}
