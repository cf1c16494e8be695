/** One Binance REST endpoint as the client calls it: method, path, security and request weight. */
export interface EndpointSpec {
  readonly method: "GET" | "POST" | "DELETE";
  readonly path: string;
  /** "POST /api/v3/order": what errors, logs and metrics name; never carries parameters. */
  readonly endpoint: string;
  /** TRADE / USER_DATA endpoints: timestamp, recvWindow, signature and X-MBX-APIKEY. */
  readonly signed: boolean;
  /** REQUEST_WEIGHT (reference section 4.2). */
  readonly weight: number;
  /** How many orders it adds to the ORDERS counters (1 for a new order). */
  readonly orders: number;
}

function spec(
  method: EndpointSpec["method"],
  path: string,
  signed: boolean,
  weight: number,
  orders = 0,
): EndpointSpec {
  return Object.freeze({ method, path, endpoint: `${method} ${path}`, signed, weight, orders });
}

/** The endpoints the REST client uses, with the weights of reference section 4.2. */
export const ENDPOINTS = {
  time: spec("GET", "/api/v3/time", false, 1),
  exchangeInfo: spec("GET", "/api/v3/exchangeInfo", false, 20),
  klines: spec("GET", "/api/v3/klines", false, 2),
  newOrder: spec("POST", "/api/v3/order", true, 1, 1),
  testOrder: spec("POST", "/api/v3/order/test", true, 1),
  cancelOrder: spec("DELETE", "/api/v3/order", true, 1),
  queryOrder: spec("GET", "/api/v3/order", true, 4),
  openOrders: spec("GET", "/api/v3/openOrders", true, 6),
  openOrdersAllSymbols: spec("GET", "/api/v3/openOrders", true, 80),
  account: spec("GET", "/api/v3/account", true, 20),
  myTrades: spec("GET", "/api/v3/myTrades", true, 20),
  myTradesByOrder: spec("GET", "/api/v3/myTrades", true, 5),
} as const;

const DEPTH_BY_WEIGHT = [5, 25, 50, 250].map((w) => spec("GET", "/api/v3/depth", false, w));

/** Returns the depth endpoint with its weight for `limit` (5/25/50/250 for 1-100/101-500/501-1000/1001-5000). */
export function depthEndpoint(limit = 100): EndpointSpec {
  const index = limit <= 100 ? 0 : limit <= 500 ? 1 : limit <= 1000 ? 2 : 3;
  return DEPTH_BY_WEIGHT[index] as EndpointSpec;
}
