import type { Decimal } from "../../../core/index.ts";
import {
  checkFilters,
  type Instrument,
  type OrderType,
  type TimeInForce,
  type VenueOrderRequest,
} from "../../../model/index.ts";
import { MatchingReason } from "./reject-reasons.ts";

const ORDER_TYPES: ReadonlySet<string> = new Set([
  "MARKET",
  "LIMIT",
  "STOP_LOSS",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
  "LIMIT_MAKER",
]);
const TIME_IN_FORCE: ReadonlySet<string> = new Set(["GTC", "IOC", "FOK"]);

/** Returns true for the types that carry a limit price. */
export function isLimitType(type: OrderType): boolean {
  return (
    type === "LIMIT" || type === "LIMIT_MAKER" || type === "STOP_LOSS_LIMIT" || type === "TAKE_PROFIT_LIMIT"
  );
}

/** Returns true for the types that wait for a stop price. */
export function isStopType(type: OrderType): boolean {
  return (
    type === "STOP_LOSS" ||
    type === "STOP_LOSS_LIMIT" ||
    type === "TAKE_PROFIT" ||
    type === "TAKE_PROFIT_LIMIT"
  );
}

/** Returns the time in force the order runs with: its own for LIMIT and stop limits, GTC for the rest. */
export function effectiveTimeInForce(req: VenueOrderRequest): TimeInForce {
  const takesTif = req.type === "LIMIT" || req.type === "STOP_LOSS_LIMIT" || req.type === "TAKE_PROFIT_LIMIT";
  return takesTif ? (req.timeInForce ?? "GTC") : "GTC";
}

/**
 * Returns why the request breaks the order rules or the instrument's filters (what does not depend
 * on the market or the balances), or undefined when it conforms. `referencePrice` is the latest
 * market price, for the notional check of market orders (Binance uses its average price).
 */
export function validateOrder(
  inst: Instrument,
  req: VenueOrderRequest,
  referencePrice: Decimal | undefined,
): string | undefined {
  if (inst.status !== "TRADING") return MatchingReason.MarketClosed;
  if (req.side !== "BUY" && req.side !== "SELL") return MatchingReason.InvalidSide;
  if (!ORDER_TYPES.has(req.type)) return MatchingReason.InvalidOrderType;
  const limit = isLimitType(req.type);
  const stop = isStopType(req.type);
  if (limit && req.price === undefined) return MatchingReason.MissingPrice;
  if (!limit && req.price !== undefined) return MatchingReason.UnsupportedCombination;
  if (stop && req.stopPrice === undefined) return MatchingReason.MissingStopPrice;
  if (!stop && req.stopPrice !== undefined) return MatchingReason.UnsupportedCombination;
  if (req.timeInForce !== undefined && !TIME_IN_FORCE.has(req.timeInForce))
    return MatchingReason.InvalidTimeInForce;
  const failure =
    checkFilters(inst, req.quantity, req.price ?? req.stopPrice) ??
    (limit && stop ? checkFilters(inst, req.quantity, req.stopPrice) : undefined);
  if (failure !== undefined) return `Filter failure: ${failure}`;
  if (req.type === "MARKET" && referencePrice !== undefined) {
    const notional = req.quantity.mul(referencePrice);
    if (notional.lt(inst.minNotional)) {
      return `Filter failure: notional ${notional} at the last price ${referencePrice} below minNotional ${inst.minNotional}`;
    }
  }
  return undefined;
}
