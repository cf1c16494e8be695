/**
 * Binance spot market-data stream payloads, exactly as the wire carries them
 * (../shared/reference/binance.md section 2). Prices and quantities are decimal strings; ids, times
 * (ms) and counts are numbers; flags are booleans. Parsers ignore keys they do not know, because
 * Binance adds and removes keys over time (the trade stream lost `b`/`a` in 2024).
 */

/** `<symbol>@trade` (section 2.1). */
export interface TradeMsg {
  e: "trade";
  /** Event time. */
  E: number;
  s: string;
  /** Trade id. */
  t: number;
  p: string;
  q: string;
  /** Trade time. */
  T: number;
  /** Is the buyer the market maker? */
  m: boolean;
  M?: boolean;
}

/** `<symbol>@aggTrade` (section 2.2). */
export interface AggTradeMsg {
  e: "aggTrade";
  E: number;
  s: string;
  /** Aggregate trade id. */
  a: number;
  p: string;
  q: string;
  /** First trade id. */
  f: number;
  /** Last trade id. */
  l: number;
  T: number;
  m: boolean;
  M?: boolean;
}

/** The `k` object of a kline event. */
export interface KlineDataMsg {
  /** Kline start time. */
  t: number;
  /** Kline close time (start + interval - 1 ms). */
  T: number;
  s: string;
  i: string;
  f: number;
  L: number;
  o: string;
  c: string;
  h: string;
  l: string;
  /** Base asset volume. */
  v: string;
  /** Number of trades. */
  n: number;
  /** Is this kline closed? */
  x: boolean;
  /** Quote asset volume. */
  q: string;
  V: string;
  Q: string;
  B?: string;
}

/** `<symbol>@kline_<interval>` (section 2.3). */
export interface KlineMsg {
  e: "kline";
  E: number;
  s: string;
  k: KlineDataMsg;
}

/** `<symbol>@bookTicker` (section 2.4): no `e` and no `E` on spot. */
export interface BookTickerMsg {
  /** Order book update id. */
  u: number;
  s: string;
  b: string;
  B: string;
  a: string;
  A: string;
  /** Present on futures and in some captures, absent on spot. */
  E?: number;
  T?: number;
}

/** One `[price, quantity]` pair of a depth message. */
export type DepthLevelMsg = [string, string];

/** `<symbol>@depth` / `<symbol>@depth@100ms` (section 2.6). */
export interface DepthUpdateMsg {
  e: "depthUpdate";
  E: number;
  s: string;
  /** First update id in event. */
  U: number;
  /** Final update id in event. */
  u: number;
  b: DepthLevelMsg[];
  a: DepthLevelMsg[];
}

/** `<symbol>@miniTicker` (section 2.7). */
export interface MiniTickerMsg {
  e: "24hrMiniTicker";
  E: number;
  s: string;
  c: string;
  o: string;
  h: string;
  l: string;
  v: string;
  q: string;
}

/** Sent before a server-side disconnect (section 1.3); combined stream name `!serverShutdown`. */
export interface ServerShutdownMsg {
  e: "serverShutdown";
  E: number;
}

/** The answer to SUBSCRIBE / UNSUBSCRIBE (`result: null`) and LIST_SUBSCRIPTIONS (section 1.5). */
export interface ControlResultMsg {
  result: unknown;
  id: number | string | null;
}

/** An error answer to a control message, e.g. `{"code": 2, "msg": "Invalid request: ...", "id": 1}`. */
export interface ControlErrorMsg {
  code: number;
  msg: string;
  id?: number | string | null;
}

/** A control request the client sends (section 1.5). */
export interface ControlRequestMsg {
  method: "SUBSCRIBE" | "UNSUBSCRIBE" | "LIST_SUBSCRIPTIONS";
  params?: string[];
  id: number;
}

/** The wrapper of every event on a combined stream (`/stream`): `{"stream": name, "data": payload}`. */
export interface CombinedStreamMsg<T> {
  stream: string;
  data: T;
}
