import { Decimal, Rounding } from "../../core/index.ts";
import type { SimSide } from "./sim-order.ts";
import type { BookLevel, SimOrderBook } from "./sim-order-book.ts";
import type { SimSymbol } from "./sim-symbol.ts";

/** One planned fill: a quantity taken from one public level at its price. */
export interface PlannedFill {
  readonly level: BookLevel;
  readonly qty: Decimal;
}

/** What a taker order would get from the book right now. */
export interface TakerPlan {
  readonly fills: readonly PlannedFill[];
  readonly qty: Decimal;
  readonly quote: Decimal;
  /** True when the walk stopped because the book (within the limit price) ran out. */
  readonly bookExhausted: boolean;
  /** True when the walk stopped because the quote budget could not buy one more step. */
  readonly budgetExhausted: boolean;
}

/** What limits a taker walk. Omitted bounds do not apply. */
export interface TakerBounds {
  /** Worst price to accept (a limit order's price). */
  readonly limitPrice?: Decimal;
  /** Base quantity to fill. */
  readonly qty?: Decimal;
  /** Quote to spend (buy) or receive (sell): quoteOrderQty, or what a buyer can afford. */
  readonly quoteBudget?: Decimal;
}

/** Rounds a quantity down to the symbol's step (or its base precision when it has no LOT_SIZE step). */
export function floorToStep(symbol: SimSymbol, qty: Decimal): Decimal {
  return symbol.stepSize.isZero()
    ? qty.round(symbol.basePrecision, Rounding.Down)
    : qty.roundToIncrement(symbol.stepSize, Rounding.Down);
}

/**
 * Walks the public book best-first for a taker (a buy takes asks, a sell takes bids) without changing
 * it: one fill per level at the level's price, until the quantity is filled, the limit price is
 * passed, the quote budget cannot buy one more step (budgeted quantities floor to the step, so they
 * never break LOT_SIZE), or the book ends.
 */
export function planTakerFills(
  book: SimOrderBook,
  symbol: SimSymbol,
  side: SimSide,
  bounds: TakerBounds,
): TakerPlan {
  const bookSide = side === "BUY" ? "ask" : "bid";
  const fills: PlannedFill[] = [];
  let qty = Decimal.ZERO;
  let quote = Decimal.ZERO;
  let left = bounds.qty;
  let budget = bounds.quoteBudget;
  let bookExhausted = false;
  let budgetExhausted = false;
  for (let i = 0; ; i++) {
    if (left !== undefined && !left.isPositive()) break;
    const level = book.level(bookSide, i);
    if (level === undefined) {
      bookExhausted = true;
      break;
    }
    const limit = bounds.limitPrice;
    if (limit !== undefined && (side === "BUY" ? level.price.gt(limit) : level.price.lt(limit))) {
      bookExhausted = true;
      break;
    }
    let take = left === undefined ? level.qty : Decimal.min(level.qty, left);
    if (budget !== undefined) {
      const affordable = floorToStep(symbol, budget.div(level.price, Rounding.Down));
      if (affordable.lt(take)) take = affordable;
      if (!take.isPositive()) {
        budgetExhausted = true;
        break;
      }
    }
    const cost = level.price.mul(take);
    fills.push({ level, qty: take });
    qty = qty.add(take);
    quote = quote.add(cost);
    if (left !== undefined) left = left.sub(take);
    if (budget !== undefined) budget = budget.sub(cost);
  }
  return { fills, qty, quote, bookExhausted, budgetExhausted };
}
