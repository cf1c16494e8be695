import { Decimal, venueOrderId } from "../../core/index.ts";
import type { OrderType, VenueBalance, VenueOpenOrder } from "../../model/index.ts";
import { wireClientOrderId, wireInstrumentId } from "./venue-wire-ids.ts";
import type { AccountBalanceMsg, QueryOrderMsg } from "./wire/rest-msgs.ts";

const ORDER_TYPES: ReadonlySet<string> = new Set<OrderType>([
  "MARKET",
  "LIMIT",
  "STOP_LOSS",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
  "LIMIT_MAKER",
]);

/**
 * Returns the port's view of an open order, or undefined for an order type DES does not model.
 * A zero price (MARKET-like stop orders) becomes undefined.
 */
export function toVenueOpenOrder(msg: QueryOrderMsg): VenueOpenOrder | undefined {
  if (!ORDER_TYPES.has(msg.type)) return undefined;
  const price = Decimal.from(msg.price);
  return {
    clientOrderId: wireClientOrderId(msg.clientOrderId),
    venueOrderId: venueOrderId(msg.orderId),
    instrumentId: wireInstrumentId(msg.symbol),
    side: msg.side,
    type: msg.type as OrderType,
    quantity: Decimal.from(msg.origQty),
    price: price.isZero() ? undefined : price,
    filledQty: Decimal.from(msg.executedQty),
  };
}

/** Returns the port's view of one account balance. */
export function toVenueBalance(msg: AccountBalanceMsg): VenueBalance {
  return { asset: msg.asset, free: Decimal.from(msg.free), locked: Decimal.from(msg.locked) };
}
