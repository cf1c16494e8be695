import type { OrderType, VenueOrderRequest } from "../../model/index.ts";
import type { NewOrderParams } from "./rest/binance-rest-api.ts";

/** Order types whose request needs a timeInForce (reference section 4.7). */
const NEEDS_TIME_IN_FORCE: ReadonlySet<OrderType> = new Set([
  "LIMIT",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT_LIMIT",
]);

/**
 * Returns the `POST /api/v3/order` parameters of a venue order request: the symbol is the instrument
 * id, decimals go as their exact strings, the DES client order id becomes `newClientOrderId`, and the
 * response is FULL (fills included). timeInForce is sent only for LIMIT, STOP_LOSS_LIMIT and
 * TAKE_PROFIT_LIMIT (default GTC): Binance refuses it on the other types.
 */
export function toNewOrderParams(request: VenueOrderRequest): NewOrderParams {
  const params: NewOrderParams = {
    symbol: request.instrumentId,
    side: request.side,
    type: request.type,
    quantity: request.quantity.toString(),
    newClientOrderId: request.clientOrderId,
    newOrderRespType: "FULL",
  };
  if (NEEDS_TIME_IN_FORCE.has(request.type)) params.timeInForce = request.timeInForce ?? "GTC";
  if (request.price !== undefined) params.price = request.price.toString();
  if (request.stopPrice !== undefined) params.stopPrice = request.stopPrice.toString();
  return params;
}
