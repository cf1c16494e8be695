import type { SimLevel } from "../exchange/sim-exchange-api.ts";
import type { KlineRecord } from "./kline-series.ts";

/** `<symbol>@trade` payload (reference 2.1). */
export interface TradeEventMsg {
  e: "trade";
  E: number;
  s: string;
  t: number;
  p: string;
  q: string;
  T: number;
  m: boolean;
  M: boolean;
}

/** `<symbol>@aggTrade` payload (reference 2.2). */
export interface AggTradeEventMsg {
  e: "aggTrade";
  E: number;
  s: string;
  a: number;
  p: string;
  q: string;
  f: number;
  l: number;
  T: number;
  m: boolean;
  M: boolean;
}

/** `<symbol>@depth` / `@depth@100ms` payload (reference 2.6). */
export interface DepthUpdateMsg {
  e: "depthUpdate";
  E: number;
  s: string;
  U: number;
  u: number;
  b: readonly SimLevel[];
  a: readonly SimLevel[];
}

/** `<symbol>@bookTicker` payload (reference 2.4): no e/E. */
export interface BookTickerMsg {
  u: number;
  s: string;
  b: string;
  B: string;
  a: string;
  A: string;
}

/** `<symbol>@kline_<interval>` payload (reference 2.3). */
export interface KlineEventMsg {
  e: "kline";
  E: number;
  s: string;
  k: {
    t: number;
    T: number;
    s: string;
    i: string;
    f: number;
    L: number;
    o: string;
    c: string;
    h: string;
    l: string;
    v: string;
    n: number;
    x: boolean;
    q: string;
    V: string;
    Q: string;
    B: string;
  };
}

/** `<symbol>@miniTicker` payload (reference 2.7). */
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

/** `<symbol>@depth<levels>` payload (reference 2.5): a snapshot of the top levels, no e/E/s. */
export interface PartialDepthMsg {
  lastUpdateId: number;
  bids: string[][];
  asks: string[][];
}

/** `serverShutdown` event (reference 1.3). */
export interface ServerShutdownMsg {
  e: "serverShutdown";
  E: number;
}

/** Returns a kline event for a kline record, with Binance's key order. */
export function klineEventMsg(
  symbol: string,
  interval: string,
  k: KlineRecord,
  eventTime: number,
): KlineEventMsg {
  return {
    e: "kline",
    E: eventTime,
    s: symbol,
    k: {
      t: k.t,
      T: k.T,
      s: symbol,
      i: interval,
      f: k.f,
      L: k.L,
      o: k.o,
      c: k.c,
      h: k.h,
      l: k.l,
      v: k.v,
      n: k.n,
      x: k.x,
      q: k.q,
      V: k.V,
      Q: k.Q,
      B: "0",
    },
  };
}

/** Returns the `GET /api/v3/klines` row of a kline (reference 4.6: O,H,L,C order). */
export function klineRow(k: KlineRecord): unknown[] {
  return [k.t, k.o, k.h, k.l, k.c, k.v, k.T, k.q, k.n, k.V, k.Q, "0"];
}
