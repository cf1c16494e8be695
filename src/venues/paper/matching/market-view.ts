import type { Decimal } from "../../../core/index.ts";
import type { MarketEvent, OrderSide } from "../../../model/index.ts";

/** Whether a stop fires when the price falls to it ("below") or rises to it ("above"). */
export type TriggerDirection = "below" | "above";

/**
 * Returns the event's time on the market clock: a trade's or quote's venue time, a bar's open
 * (an order can only fill on a bar it was active for from the start).
 */
export function marketTime(event: MarketEvent): number {
  return event.kind === "bar" ? event.openTime : event.eventTime;
}

/** Returns why the event cannot be matched against (open bar, non-positive or inverted prices), or undefined. */
export function unusableReason(event: MarketEvent): string | undefined {
  if (event.kind === "trade") {
    if (!event.price.isPositive()) return "trade price not positive";
    if (event.quantity.isNegative()) return "trade quantity negative";
    return undefined;
  }
  if (event.kind === "quote") {
    if (!event.bid.isPositive() || !event.ask.isPositive()) return "quote price not positive";
    if (event.bid.gt(event.ask)) return "quote bid above ask";
    if (event.bidSize.isNegative() || event.askSize.isNegative()) return "quote size negative";
    return undefined;
  }
  if (!event.closed) return "bar not closed";
  const consistent =
    event.low.isPositive() &&
    event.low.lte(event.open) &&
    event.low.lte(event.close) &&
    event.high.gte(event.open) &&
    event.high.gte(event.close) &&
    !event.volume.isNegative();
  return consistent ? undefined : "bar prices inconsistent";
}

/** Returns the price a new taker of this side meets: the trade, the opposite touch, the bar's open. */
export function takerPrice(event: MarketEvent, side: OrderSide): Decimal {
  if (event.kind === "trade") return event.price;
  if (event.kind === "quote") return side === "BUY" ? event.ask : event.bid;
  return event.open;
}

/** Returns the liquidity the event offers an order of this side: trade size, opposite touch size, bar volume. */
export function eventSize(event: MarketEvent, side: OrderSide): Decimal {
  if (event.kind === "trade") return event.quantity;
  if (event.kind === "quote") return side === "BUY" ? event.askSize : event.bidSize;
  return event.volume;
}

/**
 * Returns where a resting limit fills on the event, or undefined when the event does not reach it:
 * at its own price when a trade prints at or through it or the opposite touch crosses it; on a bar,
 * at its price when the range reaches it, or at the open when the bar gapped through it.
 */
export function makerFillPrice(event: MarketEvent, side: OrderSide, limit: Decimal): Decimal | undefined {
  const buy = side === "BUY";
  if (event.kind === "trade")
    return (buy ? event.price.lte(limit) : event.price.gte(limit)) ? limit : undefined;
  if (event.kind === "quote") return (buy ? event.ask.lte(limit) : event.bid.gte(limit)) ? limit : undefined;
  if (buy ? event.open.lte(limit) : event.open.gte(limit)) return event.open;
  return (buy ? event.low.lte(limit) : event.high.gte(limit)) ? limit : undefined;
}

/**
 * Returns the price at which a stop fires on the event, or undefined when it does not: the trade's
 * price; the touch the triggered order would trade against (bid for a sell, ask for a buy); on a bar,
 * the stop price, or the open when the bar gapped through it.
 */
export function triggerPrice(
  event: MarketEvent,
  side: OrderSide,
  direction: TriggerDirection,
  stop: Decimal,
): Decimal | undefined {
  const below = direction === "below";
  if (event.kind === "bar") {
    if (below ? event.open.lte(stop) : event.open.gte(stop)) return event.open;
    return (below ? event.low.lte(stop) : event.high.gte(stop)) ? stop : undefined;
  }
  const price = event.kind === "trade" ? event.price : side === "BUY" ? event.ask : event.bid;
  return (below ? price.lte(stop) : price.gte(stop)) ? price : undefined;
}

/** Returns which way a stop order fires, as Binance defines it. */
export function triggerDirection(type: string, side: OrderSide): TriggerDirection {
  const stopLoss = type === "STOP_LOSS" || type === "STOP_LOSS_LIMIT";
  // STOP_LOSS: a sell fires as the price falls to the stop, a buy as it rises; TAKE_PROFIT the reverse.
  return stopLoss === (side === "SELL") ? "below" : "above";
}
