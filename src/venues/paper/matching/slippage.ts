import { Decimal, Rounding } from "../../../core/index.ts";
import type { OrderSide } from "../../../model/index.ts";

/** How far a taker's fill price moves against it: not at all, a fixed number of basis points, or ticks. */
export type SlippageModel =
  | { readonly kind: "none" }
  | { readonly kind: "bps"; readonly bps: Decimal }
  | { readonly kind: "ticks"; readonly ticks: number };

const BPS = Decimal.from("10000");

/**
 * Returns the price moved against the taker (up for a buy, down for a sell), on the tick grid when
 * the instrument has one, rounded against the taker; a sell never goes to zero or below (it stops at
 * one tick, or keeps the price when there is no tick).
 */
export function slipPrice(price: Decimal, side: OrderSide, model: SlippageModel, tickSize: Decimal): Decimal {
  if (model.kind === "none") return price;
  const buy = side === "BUY";
  let slipped: Decimal;
  if (model.kind === "bps") {
    const shift = price.mul(model.bps).div(BPS, buy ? Rounding.Ceil : Rounding.Floor);
    slipped = buy ? price.add(shift) : price.sub(shift);
    if (!tickSize.isZero())
      slipped = slipped.roundToIncrement(tickSize, buy ? Rounding.Ceil : Rounding.Floor);
  } else {
    const shift = tickSize.mul(Decimal.from(BigInt(model.ticks)));
    slipped = buy ? price.add(shift) : price.sub(shift);
  }
  if (!slipped.isPositive()) return tickSize.isZero() ? price : Decimal.min(tickSize, price);
  return slipped;
}
