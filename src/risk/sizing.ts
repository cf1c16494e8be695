import { Decimal, Rounding } from "../core/index.ts";
import { type Instrument, type OrderSide, roundPrice, roundQuantity } from "../model/index.ts";

/**
 * Returns a limit price on the tick grid, rounded to the safe side: a BUY down (never pays more than
 * asked), a SELL up (never sells for less).
 */
export function limitPriceFor(instrument: Instrument, price: Decimal, side: OrderSide): Decimal {
  return roundPrice(instrument, price, side === "BUY" ? Rounding.Floor : Rounding.Ceil);
}

/** Returns the quantity rounded down to the step size, so an order never exceeds what was meant. */
export function quantityDown(instrument: Instrument, quantity: Decimal): Decimal {
  return roundQuantity(instrument, quantity, Rounding.Down);
}

/** Returns the base quantity a quote amount buys at a price, rounded down to the step (zero if price <= 0). */
export function quantityFromQuote(instrument: Instrument, quoteAmount: Decimal, price: Decimal): Decimal {
  if (!price.isPositive() || !quoteAmount.isPositive()) return Decimal.ZERO;
  return quantityDown(instrument, quoteAmount.div(price, Rounding.Down));
}
