import type { CancelOrderResponseMsg, NewOrderResponseMsg, QueryOrderMsg } from "../wire/rest-msgs.ts";
import {
  asArray,
  asObject,
  checkBoolean,
  checkDecimal,
  checkInteger,
  checkOneOf,
  checkString,
  ifPresent,
  type WireObject,
} from "./wire-checks.ts";

const ORDER_STATUSES: ReadonlySet<string> = new Set([
  "NEW",
  "PENDING_NEW",
  "PARTIALLY_FILLED",
  "FILLED",
  "CANCELED",
  "PENDING_CANCEL",
  "REJECTED",
  "EXPIRED",
  "EXPIRED_IN_MATCH",
]);
const SIDES: ReadonlySet<string> = new Set(["BUY", "SELL"]);

/** The quantities every order object carries (RESULT/FULL, query, cancel). */
function checkOrderBody(o: WireObject, endpoint: string, path: string): void {
  checkString(o, "symbol", endpoint, path);
  checkInteger(o, "orderId", endpoint, path);
  checkInteger(o, "orderListId", endpoint, path);
  checkString(o, "clientOrderId", endpoint, path);
  for (const key of ["price", "origQty", "executedQty", "cummulativeQuoteQty"])
    checkDecimal(o, key, endpoint, path);
  checkOneOf(o, "status", ORDER_STATUSES, endpoint, path);
  checkString(o, "timeInForce", endpoint, path);
  checkString(o, "type", endpoint, path);
  checkOneOf(o, "side", SIDES, endpoint, path);
  for (const key of ["stopPrice", "icebergQty", "origQuoteOrderQty"])
    ifPresent(o, key, checkDecimal, endpoint, path);
  ifPresent(o, "workingTime", checkInteger, endpoint, path);
  ifPresent(o, "selfTradePreventionMode", checkString, endpoint, path);
}

/**
 * Parses `POST /api/v3/order`: the five ACK fields always; the order fields of RESULT/FULL when `status`
 * is present; every `fills` element when present.
 */
export function parseNewOrderResponse(body: unknown, endpoint: string): NewOrderResponseMsg {
  const o = asObject(body, endpoint, "body");
  if (o.status === undefined) {
    checkString(o, "symbol", endpoint, "body");
    checkInteger(o, "orderId", endpoint, "body");
    checkInteger(o, "orderListId", endpoint, "body");
    checkString(o, "clientOrderId", endpoint, "body");
  } else {
    checkOrderBody(o, endpoint, "body");
  }
  checkInteger(o, "transactTime", endpoint, "body");
  ifPresent(o, "expiryReason", checkString, endpoint, "body");
  if (o.fills !== undefined) {
    const fills = asArray(o.fills, endpoint, "body.fills");
    for (let i = 0; i < fills.length; i++) {
      const path = `body.fills[${i}]`;
      const f = asObject(fills[i], endpoint, path);
      checkDecimal(f, "price", endpoint, path);
      checkDecimal(f, "qty", endpoint, path);
      checkDecimal(f, "commission", endpoint, path);
      checkString(f, "commissionAsset", endpoint, path);
      checkInteger(f, "tradeId", endpoint, path);
    }
  }
  return o as unknown as NewOrderResponseMsg;
}

/** Parses `POST /api/v3/order/test`: an object (`{}` unless commission rates were asked for). */
export function parseTestOrderResponse(body: unknown, endpoint: string): Record<string, unknown> {
  return asObject(body, endpoint, "body");
}

/** Parses `DELETE /api/v3/order`. */
export function parseCancelOrderResponse(body: unknown, endpoint: string): CancelOrderResponseMsg {
  const o = asObject(body, endpoint, "body");
  checkOrderBody(o, endpoint, "body");
  checkString(o, "origClientOrderId", endpoint, "body");
  ifPresent(o, "transactTime", checkInteger, endpoint, "body");
  return o as unknown as CancelOrderResponseMsg;
}

function checkQueryOrder(value: unknown, endpoint: string, path: string): void {
  const o = asObject(value, endpoint, path);
  checkOrderBody(o, endpoint, path);
  checkInteger(o, "time", endpoint, path);
  checkInteger(o, "updateTime", endpoint, path);
  checkBoolean(o, "isWorking", endpoint, path);
}

/** Parses `GET /api/v3/order`. */
export function parseQueryOrderResponse(body: unknown, endpoint: string): QueryOrderMsg {
  checkQueryOrder(body, endpoint, "body");
  return body as QueryOrderMsg;
}

/** Parses `GET /api/v3/openOrders`: an array of order objects. */
export function parseOpenOrdersResponse(body: unknown, endpoint: string): QueryOrderMsg[] {
  const list = asArray(body, endpoint, "body");
  for (let i = 0; i < list.length; i++) checkQueryOrder(list[i], endpoint, `body[${i}]`);
  return list as QueryOrderMsg[];
}
