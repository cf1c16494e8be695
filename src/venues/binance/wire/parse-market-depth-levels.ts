import type { Decimal } from "../../../core/index.ts";
import { parseMarketDecimal } from "./parse-market-decimal.ts";

/** One price level of an order book: quantity zero in a diff means "remove this price". */
export interface BookLevel {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

/** Most levels one message may carry: a REST snapshot has at most 5000 per side. */
const MAX_LEVELS = 10_000;

/**
 * Parses `[["price", "qty"], ...]` into book levels, or returns the reason it is invalid. Prices
 * must be positive and quantities non-negative; extra elements in a pair (old captures end each
 * pair with `[]`) are ignored.
 */
export function parseMarketDepthLevels(value: unknown, field: string): BookLevel[] | string {
  if (!Array.isArray(value)) return `${field}: expected an array of [price, quantity] pairs`;
  if (value.length > MAX_LEVELS) return `${field}: more than ${MAX_LEVELS} levels`;
  const out: BookLevel[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const pair: unknown = value[i];
    if (!Array.isArray(pair) || pair.length < 2) return `${field}[${i}]: expected a [price, quantity] pair`;
    const price = parseMarketDecimal(pair[0]);
    if (price === undefined || price.units <= 0n)
      return `${field}[${i}][0]: expected a positive decimal string`;
    const quantity = parseMarketDecimal(pair[1]);
    if (quantity === undefined) return `${field}[${i}][1]: expected a decimal string`;
    out[i] = { price, quantity };
  }
  return out;
}
