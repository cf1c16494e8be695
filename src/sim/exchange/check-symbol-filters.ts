import { Decimal, Rounding } from "../../core/index.ts";
import { isMarketType } from "./sim-order.ts";
import type { SimFilter } from "./sim-symbol.ts";
import type { ValidatedOrder } from "./validate-order-params.ts";

function priceFails(f: Extract<SimFilter, { filterType: "PRICE_FILTER" }>, price: Decimal): boolean {
  if (!price.isPositive()) return true;
  if (!f.minPrice.isZero() && price.lt(f.minPrice)) return true;
  if (!f.maxPrice.isZero() && price.gt(f.maxPrice)) return true;
  // Current rule (since 2022-02-24): price % tickSize == 0.
  return !f.tickSize.isZero() && !price.isMultipleOf(f.tickSize);
}

/** Returns true when a quantity breaks LOT_SIZE / MARKET_LOT_SIZE bounds or step (quantity % stepSize == 0). */
export function lotFails(
  f: Extract<SimFilter, { filterType: "LOT_SIZE" | "MARKET_LOT_SIZE" }>,
  qty: Decimal,
): boolean {
  if (!qty.isPositive()) return true;
  if (qty.lt(f.minQty)) return true;
  if (!f.maxQty.isZero() && qty.gt(f.maxQty)) return true;
  return !f.stepSize.isZero() && !qty.isMultipleOf(f.stepSize);
}

/**
 * Returns the notional a market-type order is judged by: quoteOrderQty when sent, otherwise quantity x
 * the reference price (stop orders use their stop price; MARKET the last trade price, standing in for
 * Binance's average price), or undefined when there is no price to judge by.
 */
function marketNotional(order: ValidatedOrder, lastPrice: Decimal | undefined): Decimal | undefined {
  if (order.quoteOrderQty !== undefined) return order.quoteOrderQty;
  const ref = order.stopPrice ?? lastPrice;
  if (ref === undefined || order.quantity === undefined) return undefined;
  return ref.mul(order.quantity, Rounding.HalfEven);
}

/**
 * Checks an order against the symbol's filters in exchangeInfo order and returns the name of the first
 * one it fails ("PRICE_FILTER", "LOT_SIZE", ...), or undefined when it passes. All arithmetic is exact.
 */
export function checkSymbolFilters(
  order: ValidatedOrder,
  lastPrice: Decimal | undefined,
): string | undefined {
  const market = isMarketType(order.type);
  for (const f of order.symbol.filters) {
    switch (f.filterType) {
      case "PRICE_FILTER":
        if (order.price !== undefined && priceFails(f, order.price)) return f.filterType;
        if (order.stopPrice !== undefined && priceFails(f, order.stopPrice)) return f.filterType;
        break;
      case "LOT_SIZE":
        if (order.quantity !== undefined && lotFails(f, order.quantity)) return f.filterType;
        if (order.icebergQty !== undefined && lotFails(f, order.icebergQty)) return f.filterType;
        break;
      case "MARKET_LOT_SIZE":
        if (market && order.quantity !== undefined && lotFails(f, order.quantity)) return f.filterType;
        break;
      case "MIN_NOTIONAL": {
        if (market && !f.applyToMarket) break;
        const notional = market ? marketNotional(order, lastPrice) : limitNotional(order);
        if (notional?.lt(f.minNotional)) return f.filterType;
        break;
      }
      case "NOTIONAL": {
        const notional = market ? marketNotional(order, lastPrice) : limitNotional(order);
        if (notional === undefined) break;
        if ((!market || f.applyMinToMarket) && notional.lt(f.minNotional)) return f.filterType;
        if ((!market || f.applyMaxToMarket) && !f.maxNotional.isZero() && notional.gt(f.maxNotional)) {
          return f.filterType;
        }
        break;
      }
      case "ICEBERG_PARTS":
        if (order.icebergQty !== undefined && order.quantity !== undefined && order.icebergQty.isPositive()) {
          const parts = order.quantity.div(order.icebergQty, Rounding.Ceil).round(0, Rounding.Ceil);
          if (parts.gt(Decimal.from(BigInt(f.limit)))) return f.filterType;
        }
        break;
    }
  }
  if (order.quantity !== undefined && !order.quantity.isPositive()) return "LOT_SIZE";
  return undefined;
}

function limitNotional(order: ValidatedOrder): Decimal | undefined {
  if (order.price === undefined || order.quantity === undefined) return undefined;
  return order.price.mul(order.quantity, Rounding.HalfEven);
}
