import type { Decimal } from "../../core/index.ts";
import type { Bar, Liquidity, TradeTick } from "../../model/index.ts";
import type { PaperOrder } from "./resting-orders.ts";

/** The price and liquidity at which a paper order fills. */
export interface MatchedPrice {
  readonly price: Decimal;
  readonly liquidity: Liquidity;
}

/**
 * Returns where an order fills on a market event, or undefined when the event does not reach it.
 * `fresh` is true while the order has not rested yet: a market order, or a limit that was
 * marketable against the last price when it arrived (or arrived before any price), at its first
 * market event.
 *
 * - MARKET fills at the first price after its arrival: the trade's price, or the bar's open.
 * - A fresh LIMIT that the first event reaches fills at that event's price (the trade, or the bar's
 *   open), as a TAKER: it crossed the spread on arrival and gets the price improvement.
 * - A resting LIMIT fills as a MAKER at its own price when a trade reaches it (a trade printed
 *   through the level would have hit the resting order first), or when a bar's range reaches it;
 *   a bar that opens through the level fills it at the open (price improvement on a gap).
 */
export function matchPrice(
  order: PaperOrder,
  event: TradeTick | Bar,
  fresh: boolean,
): MatchedPrice | undefined {
  if (order.type === "MARKET") {
    return { price: event.kind === "trade" ? event.price : event.open, liquidity: "TAKER" };
  }
  const limit = order.price!;
  const buy = order.side === "BUY";
  if (event.kind === "trade") {
    const reaches = buy ? event.price.lte(limit) : event.price.gte(limit);
    if (!reaches) return undefined;
    return fresh ? { price: event.price, liquidity: "TAKER" } : { price: limit, liquidity: "MAKER" };
  }
  const opensThrough = buy ? event.open.lte(limit) : event.open.gte(limit);
  if (opensThrough) return { price: event.open, liquidity: fresh ? "TAKER" : "MAKER" };
  const reaches = buy ? event.low.lte(limit) : event.high.gte(limit);
  return reaches ? { price: limit, liquidity: "MAKER" } : undefined;
}
