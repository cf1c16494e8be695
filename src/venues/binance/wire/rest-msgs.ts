/**
 * Binance spot REST response bodies, exactly as the wire carries them (../shared/reference/binance.md
 * section 4). Prices and quantities are decimal strings; ids and times are numbers (ms).
 * The REST client validates every body against these shapes before returning it.
 */

import type { ExchangeInfoMsg } from "../../../model/index.ts";

/** `GET /api/v3/time`. */
export interface ServerTimeMsg {
  serverTime: number;
}

/** One `GET /api/v3/klines` row: [openTime, o, h, l, c, volume, closeTime, quoteVolume, trades, takerBase, takerQuote, ignore]. */
export type KlineRowMsg = [
  number,
  string,
  string,
  string,
  string,
  string,
  number,
  string,
  number,
  string,
  string,
  string,
];

/** `GET /api/v3/depth`: a snapshot for the local order book. */
export interface DepthSnapshotMsg {
  lastUpdateId: number;
  bids: Array<[string, string]>;
  asks: Array<[string, string]>;
}

/** One element of `fills` in a FULL new-order response. */
export interface OrderFillMsg {
  price: string;
  qty: string;
  commission: string;
  commissionAsset: string;
  tradeId: number;
}

/** `POST /api/v3/order` response: ACK has the first five fields, RESULT adds the order, FULL adds fills. */
export interface NewOrderResponseMsg {
  symbol: string;
  orderId: number;
  orderListId: number;
  clientOrderId: string;
  transactTime: number;
  price?: string;
  origQty?: string;
  executedQty?: string;
  origQuoteOrderQty?: string;
  cummulativeQuoteQty?: string;
  status?: BinanceOrderStatus;
  timeInForce?: string;
  type?: string;
  side?: "BUY" | "SELL";
  workingTime?: number;
  stopPrice?: string;
  expiryReason?: string;
  selfTradePreventionMode?: string;
  fills?: OrderFillMsg[];
}

/** Order status as Binance names it (enums.md). */
export type BinanceOrderStatus =
  | "NEW"
  | "PENDING_NEW"
  | "PARTIALLY_FILLED"
  | "FILLED"
  | "CANCELED"
  | "PENDING_CANCEL"
  | "REJECTED"
  | "EXPIRED"
  | "EXPIRED_IN_MATCH";

/** The order fields that `GET /api/v3/order` and `DELETE /api/v3/order` both return. */
export interface OrderStateMsg {
  symbol: string;
  orderId: number;
  orderListId: number;
  clientOrderId: string;
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: BinanceOrderStatus;
  timeInForce: string;
  type: string;
  side: "BUY" | "SELL";
}

/** `GET /api/v3/order` and each element of `GET /api/v3/openOrders`. */
export interface QueryOrderMsg extends OrderStateMsg {
  stopPrice?: string;
  icebergQty?: string;
  time: number;
  updateTime: number;
  isWorking: boolean;
  origQuoteOrderQty?: string;
  workingTime?: number;
  selfTradePreventionMode?: string;
}

/** `DELETE /api/v3/order` response. */
export interface CancelOrderResponseMsg extends OrderStateMsg {
  origClientOrderId: string;
  transactTime?: number;
}

/** One balance of `GET /api/v3/account`. */
export interface AccountBalanceMsg {
  asset: string;
  free: string;
  locked: string;
}

/** `GET /api/v3/account` (only the fields DES reads are required). */
export interface AccountMsg {
  makerCommission: number;
  takerCommission: number;
  canTrade: boolean;
  updateTime: number;
  accountType: string;
  balances: AccountBalanceMsg[];
  commissionRates?: { maker: string; taker: string; buyer: string; seller: string };
  permissions?: string[];
  uid?: number;
}

/** One row of `GET /api/v3/myTrades`. */
export interface MyTradeMsg {
  symbol: string;
  id: number;
  orderId: number;
  orderListId: number;
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
  isBestMatch: boolean;
}

/** The error body of any failed request: `{"code": -1121, "msg": "Invalid symbol."}`. */
export interface BinanceErrorMsg {
  code: number;
  msg: string;
}

/** One element of `rateLimits` in `GET /api/v3/exchangeInfo`, e.g. REQUEST_WEIGHT 6000 per 1 MINUTE. */
export interface RateLimitMsg {
  rateLimitType: "REQUEST_WEIGHT" | "ORDERS" | "RAW_REQUESTS" | "CONNECTIONS" | string;
  interval: "SECOND" | "MINUTE" | "HOUR" | "DAY" | string;
  intervalNum: number;
  limit: number;
}

/** `GET /api/v3/exchangeInfo` as the REST client returns it: the model's shape plus the rate limits. */
export interface BinanceExchangeInfoMsg extends ExchangeInfoMsg {
  timezone?: string;
  serverTime?: number;
  rateLimits?: RateLimitMsg[];
}
