import type { ReportFill } from "./build-execution-report.ts";
import { formatDecimal } from "./format-decimal.ts";
import { isStopType, type SimOrder, type SimRespType } from "./sim-order.ts";
import type { SimTrade } from "./sim-trade.ts";

/**
 * The REST bodies that describe orders and trades (reference sections 4.7, 4.9, 4.10, 4.11), with
 * Binance's field names (`cummulativeQuoteQty` included), decimals as strings at the symbol's
 * precisions and ids/times as numbers. Conditional fields appear only when they apply.
 */

/**
 * Adds the order's prices, quantities and state in the order the new-order and cancel responses
 * list them; stopPrice and icebergQty only where they apply.
 */
function addOrderState(body: Record<string, unknown>, order: SimOrder): void {
  const bp = order.symbol.basePrecision;
  const qp = order.symbol.quotePrecision;
  body["price"] = formatDecimal(order.price, qp);
  body["origQty"] = formatDecimal(order.origQty, bp);
  body["executedQty"] = formatDecimal(order.executedQty, bp);
  body["origQuoteOrderQty"] = formatDecimal(order.origQuoteOrderQty, qp);
  body["cummulativeQuoteQty"] = formatDecimal(order.cumQuote, qp);
  body["status"] = order.status;
  body["timeInForce"] = order.timeInForce;
  body["type"] = order.type;
  body["side"] = order.side;
  if (isStopType(order.type)) body["stopPrice"] = formatDecimal(order.stopPrice, qp);
  if (order.icebergQty.isPositive()) body["icebergQty"] = formatDecimal(order.icebergQty, bp);
}

/** Adds `expiryReason` to the body of an expired order that has one. */
function addExpiryReason(body: Record<string, unknown>, order: SimOrder): void {
  if (order.status === "EXPIRED" && order.expiryReason !== undefined)
    body["expiryReason"] = order.expiryReason;
}

/** Builds the `POST /api/v3/order` response: ACK, RESULT or FULL (with `fills`). */
export function buildNewOrderResponse(
  order: SimOrder,
  respType: SimRespType,
  fills: readonly ReportFill[],
  transactTime: number,
): Record<string, unknown> {
  const sym = order.symbol;
  const body: Record<string, unknown> = {
    symbol: sym.symbol,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
    transactTime,
  };
  if (respType === "ACK") return body;
  addOrderState(body, order);
  body["workingTime"] = order.workingTime;
  body["selfTradePreventionMode"] = order.selfTradePreventionMode;
  addExpiryReason(body, order);
  if (respType === "FULL") {
    const bp = sym.basePrecision;
    const qp = sym.quotePrecision;
    body["fills"] = fills.map((f) => ({
      price: formatDecimal(f.price, qp),
      qty: formatDecimal(f.qty, bp),
      commission: formatDecimal(f.commission, f.commissionAsset === sym.baseAsset ? bp : qp),
      commissionAsset: f.commissionAsset,
      tradeId: f.tradeId,
    }));
  }
  return body;
}

/** Builds an order as `GET /api/v3/order` and `GET /api/v3/openOrders` return it. */
export function buildOrderView(order: SimOrder): Record<string, unknown> {
  const sym = order.symbol;
  const bp = sym.basePrecision;
  const qp = sym.quotePrecision;
  const body: Record<string, unknown> = {
    symbol: sym.symbol,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
    price: formatDecimal(order.price, qp),
    origQty: formatDecimal(order.origQty, bp),
    executedQty: formatDecimal(order.executedQty, bp),
    cummulativeQuoteQty: formatDecimal(order.cumQuote, qp),
    status: order.status,
    timeInForce: order.timeInForce,
    type: order.type,
    side: order.side,
    stopPrice: formatDecimal(order.stopPrice, qp),
    icebergQty: formatDecimal(order.icebergQty, bp),
    time: order.time,
    updateTime: order.updateTime,
    isWorking: order.workingTime !== -1,
    origQuoteOrderQty: formatDecimal(order.origQuoteOrderQty, qp),
    workingTime: order.workingTime,
    selfTradePreventionMode: order.selfTradePreventionMode,
  };
  addExpiryReason(body, order);
  return body;
}

/** Builds the `DELETE /api/v3/order` response (also each element of `DELETE /api/v3/openOrders`). */
export function buildCancelResponse(
  order: SimOrder,
  cancelClientOrderId: string,
  transactTime: number,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    symbol: order.symbol.symbol,
    origClientOrderId: order.clientOrderId,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: cancelClientOrderId,
    transactTime,
  };
  addOrderState(body, order);
  body["selfTradePreventionMode"] = order.selfTradePreventionMode;
  return body;
}

/** Builds one `GET /api/v3/myTrades` row. */
export function buildTradeRow(
  trade: SimTrade,
  basePrecision: number,
  quotePrecision: number,
  commissionPrecision: number,
): Record<string, unknown> {
  return {
    symbol: trade.symbol,
    id: trade.id,
    orderId: trade.orderId,
    orderListId: -1,
    price: formatDecimal(trade.price, quotePrecision),
    qty: formatDecimal(trade.qty, basePrecision),
    quoteQty: formatDecimal(trade.quoteQty, quotePrecision),
    commission: formatDecimal(trade.commission, commissionPrecision),
    commissionAsset: trade.commissionAsset,
    time: trade.time,
    isBuyer: trade.isBuyer,
    isMaker: trade.isMaker,
    isBestMatch: true,
  };
}
