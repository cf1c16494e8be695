import type { ExchangeInfoMsg } from "../../../model/index.ts";
import type {
  AccountMsg,
  CancelOrderResponseMsg,
  DepthSnapshotMsg,
  KlineRowMsg,
  MyTradeMsg,
  NewOrderResponseMsg,
  QueryOrderMsg,
} from "../wire/rest-msgs.ts";

/** Parameters of `POST /api/v3/order` (and `/order/test`), as Binance names them; decimals as strings. */
export interface NewOrderParams {
  symbol: string;
  side: "BUY" | "SELL";
  type:
    | "LIMIT"
    | "MARKET"
    | "STOP_LOSS"
    | "STOP_LOSS_LIMIT"
    | "TAKE_PROFIT"
    | "TAKE_PROFIT_LIMIT"
    | "LIMIT_MAKER";
  timeInForce?: "GTC" | "IOC" | "FOK";
  quantity?: string;
  quoteOrderQty?: string;
  price?: string;
  stopPrice?: string;
  trailingDelta?: number;
  icebergQty?: string;
  /** Must match ^[a-zA-Z0-9-_]{1,36}$. */
  newClientOrderId?: string;
  newOrderRespType?: "ACK" | "RESULT" | "FULL";
  selfTradePreventionMode?: string;
}

/** Identifies one order: by the client order id DES gave it, or by Binance's order id. */
export interface OrderRef {
  symbol: string;
  origClientOrderId?: string;
  orderId?: number;
}

/** Query of `GET /api/v3/klines`. */
export interface KlinesQuery {
  symbol: string;
  interval: string;
  startTime?: number;
  endTime?: number;
  limit?: number;
}

/** Query of `GET /api/v3/myTrades`. */
export interface MyTradesQuery {
  symbol: string;
  orderId?: number;
  fromId?: number;
  startTime?: number;
  endTime?: number;
  limit?: number;
}

/** What the client knows of the venue's rate limits, from the last response headers. */
export interface RateLimitSnapshot {
  /** X-MBX-USED-WEIGHT-1M of the last response. */
  readonly usedWeight1m: number;
  /** X-MBX-ORDER-COUNT-10S of the last order response. */
  readonly orderCount10s: number;
  /** X-MBX-ORDER-COUNT-1D of the last order response. */
  readonly orderCount1d: number;
  /** Epoch ms until which no request is sent (429/418 Retry-After); 0 when free. */
  readonly blockedUntilMs: number;
  /** True when the block comes from a 418 ban rather than a 429. */
  readonly banned: boolean;
}

/**
 * The Binance spot REST API as DES uses it. Every method validates the response body and throws a
 * BinanceApiError (a DesError carrying Binance's code and message) on an error response, a
 * DesError VENUE_UNKNOWN_OUTCOME on a timeout / 5xx / -1007 / broken connection after sending, and a
 * DesError VENUE_RATE_LIMITED or VENUE_BANNED without sending anything while a Retry-After runs.
 */
export interface BinanceRestApi {
  /** `GET /api/v3/time`: the server's time in ms. */
  serverTime(): Promise<number>;
  /** Re-reads the server time and updates the offset used for `timestamp`. */
  syncTime(): Promise<void>;
  /** The current estimate of server time minus local time, in ms. */
  readonly timeOffsetMs: number;
  exchangeInfo(symbols?: readonly string[]): Promise<ExchangeInfoMsg>;
  klines(query: KlinesQuery): Promise<KlineRowMsg[]>;
  depth(symbol: string, limit?: number): Promise<DepthSnapshotMsg>;
  newOrder(params: NewOrderParams): Promise<NewOrderResponseMsg>;
  /** `POST /api/v3/order/test`: validates without placing; resolves with `{}`. */
  testOrder(params: NewOrderParams): Promise<Record<string, unknown>>;
  cancelOrder(ref: OrderRef): Promise<CancelOrderResponseMsg>;
  queryOrder(ref: OrderRef): Promise<QueryOrderMsg>;
  openOrders(symbol?: string): Promise<QueryOrderMsg[]>;
  account(): Promise<AccountMsg>;
  myTrades(query: MyTradesQuery): Promise<MyTradeMsg[]>;
  rateLimits(): RateLimitSnapshot;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
