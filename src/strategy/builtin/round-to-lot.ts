import { type Decimal, Rounding } from "../../core/index.ts";
import { type Instrument, roundQuantity } from "../../model/index.ts";

/**
 * Returns the quantity rounded down to the instrument's step size, so an order never trades more
 * than the strategy asked for; unchanged when the instrument (or its step size) is unknown.
 */
export function roundToLot(instrument: Instrument | undefined, quantity: Decimal): Decimal {
  return instrument === undefined ? quantity : roundQuantity(instrument, quantity, Rounding.Down);
}
