/**
 * Binance's error answers for the simulator: HTTP status, code and the exact message text of the
 * reference (../shared/reference/binance.md section 5). Every failed exchange call returns one of these.
 */

/** A failed call: what the server sends back as `{"code": ..., "msg": ...}` with the HTTP status. */
export interface SimRejection {
  readonly ok: false;
  readonly status: number;
  readonly code: number;
  readonly msg: string;
}

/** The number syntax Binance enforces on DECIMAL parameters. */
export const DECIMAL_PARAM_RANGE = "^([0-9]{1,20})(\\.[0-9]{1,20})?$";
/** The client order id rule (fix-api.md) that REST enforces on newClientOrderId and friends. */
export const CLIENT_ORDER_ID_RANGE = "^[a-zA-Z0-9-_]{1,36}$";
/** The syntax of LONG parameters (order ids, times, limits). */
export const LONG_PARAM_RANGE = "^[0-9]{1,20}$";

/** Returns a rejection with Binance's code and message (HTTP 400 unless told). */
export function reject(code: number, msg: string, status = 400): SimRejection {
  return { ok: false, status, code, msg };
}

/** -1102: a mandatory parameter is missing or empty. */
export function rejectMandatory(name: string): SimRejection {
  return reject(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
}

/** -1102: neither of two alternative parameters was sent. */
export function rejectEitherParam(first: string, second: string): SimRejection {
  return reject(-1102, `Param '${first}' or '${second}' must be sent, but both were empty/null!`);
}

/** -1100: a parameter does not match its syntax. */
export function rejectIllegalChars(name: string, range: string): SimRejection {
  return reject(-1100, `Illegal characters found in parameter '${name}'; legal range is '${range}'.`);
}

/** -1106: a parameter was sent that this order type does not take. */
export function rejectNotRequired(name: string): SimRejection {
  return reject(-1106, `Parameter '${name}' sent when not required.`);
}

/** -1111: more decimals than the asset's precision. */
export function rejectPrecision(name: string): SimRejection {
  return reject(-1111, `Parameter '${name}' has too much precision.`);
}

/** -1013: a symbol filter failed (PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, MIN_NOTIONAL, NOTIONAL, ...). */
export function rejectFilter(filterType: string): SimRejection {
  return reject(-1013, `Filter failure: ${filterType}`);
}

/** -2010: the matching engine refused the new order. */
export function rejectNewOrder(msg: string): SimRejection {
  return reject(-2010, msg);
}

/** The fixed messages of the simulator, verbatim from the reference. */
export const SimMsg = {
  invalidSymbol: "Invalid symbol.",
  invalidSide: "Invalid side.",
  invalidOrderType: "Invalid orderType.",
  invalidTif: "Invalid timeInForce.",
  duplicateOrder: "Duplicate order sent.",
  insufficientBalance: "Account has insufficient balance for requested action.",
  wouldMatch: "Order would immediately match and take.",
  wouldTrigger: "Order would trigger immediately.",
  marketClosed: "Market is closed.",
  unsupportedCombination: "Unsupported order combination",
  icebergExceedsQty: "IcebergQty exceeds QTY.",
  icebergNotSupported: "Iceberg orders are not supported for this symbol.",
  quoteOrderQtyNotSupported: "Quote order qty market orders are not support for this symbol.",
  liquidityBelowMinQty: "Order book liquidity is less than `LOT_SIZE` filter minimum quantity.",
  unknownOrder: "Unknown order sent.",
  noSuchOrder: "Order does not exist.",
  cancelRestricted: "Order was not canceled due to cancel restrictions.",
  invalidCancelRestrictions: "Invalid cancelRestrictions",
  invalidParamCombination: "Combination of optional parameters invalid.",
} as const;

/** "... orders are not supported for this symbol." for each order type (errors.md wording). */
export const ORDER_TYPE_NOT_SUPPORTED: Readonly<Record<string, string>> = {
  LIMIT: "Limit orders are not supported for this symbol.",
  MARKET: "Market orders are not supported for this symbol.",
  STOP_LOSS: "Stop loss orders are not supported for this symbol.",
  STOP_LOSS_LIMIT: "Stop loss limit orders are not supported for this symbol.",
  TAKE_PROFIT: "Take profit orders are not supported for this symbol.",
  TAKE_PROFIT_LIMIT: "Take profit limit orders are not supported for this symbol.",
  LIMIT_MAKER: "Limit maker orders are not supported for this symbol.",
};
