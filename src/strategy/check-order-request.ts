import { Decimal, DesError, ErrorCode, type StrategyId } from "../core/index.ts";
import type { OrderRequest } from "./strategy.ts";

const ORDER_SIDES = new Set(["BUY", "SELL"]);
const ORDER_TYPES = new Set([
  "MARKET",
  "LIMIT",
  "STOP_LOSS",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
  "LIMIT_MAKER",
]);

/** Throws (failing the calling hook) when a strategy asks for an order that makes no sense. */
export function checkOrderRequest(id: StrategyId, r: OrderRequest): void {
  let problem: string | undefined;
  if (r === null || typeof r !== "object") problem = "an order request object";
  else if (typeof r.instrumentId !== "string") problem = "an instrumentId";
  else if (!ORDER_SIDES.has(r.side)) problem = `side BUY or SELL, got ${JSON.stringify(r.side)}`;
  else if (!ORDER_TYPES.has(r.type)) problem = `a known order type, got ${JSON.stringify(r.type)}`;
  else if (!(r.quantity instanceof Decimal) || !r.quantity.isPositive())
    problem = "a positive Decimal quantity";
  else if (r.price !== undefined && !(r.price instanceof Decimal)) problem = "a Decimal price";
  else if (r.stopPrice !== undefined && !(r.stopPrice instanceof Decimal)) problem = "a Decimal stopPrice";
  else if (
    r.type !== "MARKET" &&
    r.type !== "STOP_LOSS" &&
    r.type !== "TAKE_PROFIT" &&
    r.price === undefined
  ) {
    problem = `a price for a ${r.type} order`;
  }
  if (problem !== undefined) {
    throw new DesError(ErrorCode.StrategyFailed, `strategy "${id}": submitOrder needs ${problem}`, {
      strategyId: id,
    });
  }
}
