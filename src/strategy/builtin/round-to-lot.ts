import { type Decimal, type InstrumentId, Rounding } from "../../core/index.ts";
import { type Instrument, roundQuantity } from "../../model/index.ts";
import type { StrategyContext } from "../strategy.ts";

/**
 * Returns the quantity rounded down to the instrument's step size, so an order never trades more
 * than the strategy asked for; unchanged when the instrument (or its step size) is unknown.
 */
export function roundToLot(instrument: Instrument | undefined, quantity: Decimal): Decimal {
  return instrument === undefined ? quantity : roundQuantity(instrument, quantity, Rounding.Down);
}

/**
 * The part of the strategy's position it can trade: rounded toward zero to the step size. With the
 * commission taken in the base asset (Binance's default for a buy) a position is rarely a whole
 * number of steps, and a sell of it as it is would be refused by the venue's LOT_SIZE filter; what
 * is left under one step (dust) cannot be sold on its own, so the built-ins count it as flat.
 */
export function tradablePosition(
  ctx: Pick<StrategyContext, "position" | "instrument">,
  id: InstrumentId,
): Decimal {
  return roundToLot(ctx.instrument(id), ctx.position(id));
}
