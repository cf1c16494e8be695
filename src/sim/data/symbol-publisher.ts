import type { Decimal } from "../../core/index.ts";
import type { SimBookUpdate, SimExchangeApi, SimLevel } from "../exchange/sim-exchange-api.ts";
import { KLINE_INTERVALS, type KlineInterval } from "./kline-interval.ts";
import { type KlineRecord, type KlineSeed, KlineSeries, klineRecord, WIRE_DECIMALS } from "./kline-series.ts";
import { RollingDayStats } from "./rolling-day-stats.ts";
import {
  type AggTradeEventMsg,
  type BookTickerMsg,
  type DepthUpdateMsg,
  klineEventMsg,
  type MiniTickerMsg,
  type PartialDepthMsg,
  type TradeEventMsg,
} from "./stream-payloads.ts";

/** Where a publisher sends stream events; `wants` lets it skip building payloads nobody reads. */
export interface StreamSink {
  wants(stream: string): boolean;
  emit(stream: string, payload: object): void;
}

/** Ids of a captured aggregate trade (generated trades get the next ids). */
export interface TradeIds {
  readonly aggId: number;
  readonly firstId: number;
  readonly lastId: number;
}

const DAY_MS = 86_400_000;
const PARTIAL_LEVELS = [5, 10, 20] as const;
const ONE_MINUTE_INDEX = KLINE_INTERVALS.indexOf("1m");

interface PartialStream {
  readonly stream: string;
  readonly limit: string;
  readonly periodMs: number;
  nextAt: number;
  version: number;
}

/** Returns every stream name the simulator publishes for a symbol (lowercase, Binance's spelling). */
export function symbolStreamNames(symbol: string): string[] {
  const s = symbol.toLowerCase();
  const names = [`${s}@trade`, `${s}@aggTrade`, `${s}@depth`, `${s}@depth@100ms`, `${s}@bookTicker`];
  names.push(`${s}@miniTicker`);
  for (const i of KLINE_INTERVALS) names.push(`${s}@kline_${i}`);
  for (const n of PARTIAL_LEVELS) names.push(`${s}@depth${n}`, `${s}@depth${n}@100ms`);
  return names;
}

/**
 * Turns one symbol's market activity into exchange inputs and Binance stream events: a trade goes to
 * `exchange.onMarketTrade`, the trade/aggTrade streams and every kline interval; a book change goes
 * through `exchange.applyBookLevels` and out as a depthUpdate with the exchange's update ids, plus a
 * bookTicker when the top of the book changed. Time only moves forward: an earlier time is treated as
 * the latest one seen.
 */
export class SymbolPublisher {
  readonly symbol: string;
  readonly #exchange: SimExchangeApi;
  readonly #sink: StreamSink;
  readonly #series: KlineSeries[];
  readonly #klineStreams: string[];
  readonly #tradeStream: string;
  readonly #aggTradeStream: string;
  readonly #depthStream: string;
  readonly #depth100Stream: string;
  readonly #bookTickerStream: string;
  readonly #miniTickerStream: string;
  readonly #partials: PartialStream[] = [];
  #nextTradeId = 1;
  #nextAggId = 1;
  #lastTicker = "";
  #bookVersion = 0;
  #timeMs = Number.NEGATIVE_INFINITY;
  #nextMiniTickerAt: number | undefined;
  readonly #day = new RollingDayStats();
  /** Counts for position() and tests. */
  trades = 0;
  bookUpdates = 0;

  constructor(symbol: string, exchange: SimExchangeApi, sink: StreamSink, klineHistory: number) {
    this.symbol = symbol;
    this.#exchange = exchange;
    this.#sink = sink;
    const s = symbol.toLowerCase();
    this.#series = KLINE_INTERVALS.map((i) => new KlineSeries(i, klineHistory));
    this.#klineStreams = KLINE_INTERVALS.map((i) => `${s}@kline_${i}`);
    this.#tradeStream = `${s}@trade`;
    this.#aggTradeStream = `${s}@aggTrade`;
    this.#depthStream = `${s}@depth`;
    this.#depth100Stream = `${s}@depth@100ms`;
    this.#bookTickerStream = `${s}@bookTicker`;
    this.#miniTickerStream = `${s}@miniTicker`;
    for (const n of PARTIAL_LEVELS) {
      for (const periodMs of [1000, 100]) {
        const stream = periodMs === 100 ? `${s}@depth${n}@100ms` : `${s}@depth${n}`;
        this.#partials.push({ stream, limit: String(n), periodMs, nextAt: 0, version: -1 });
      }
    }
  }

  /** The latest market time this symbol has reached, ms. */
  get timeMs(): number {
    return this.#timeMs;
  }

  /** Id the next generated trade gets. */
  get nextTradeId(): number {
    return this.#nextTradeId;
  }

  /** Publishes a trade (taker buy when buyerIsMaker is false). */
  trade(price: Decimal, qty: Decimal, timeMs: number, buyerIsMaker: boolean, ids?: TradeIds): void {
    const t = this.advanceTo(timeMs);
    let aggId: number;
    let firstId: number;
    let lastId: number;
    if (ids === undefined) {
      aggId = this.#nextAggId++;
      firstId = this.#nextTradeId++;
      lastId = firstId;
    } else {
      aggId = ids.aggId;
      firstId = ids.firstId;
      lastId = ids.lastId;
      if (aggId >= this.#nextAggId) this.#nextAggId = aggId + 1;
      if (lastId >= this.#nextTradeId) this.#nextTradeId = lastId + 1;
    }
    const p = price.toFixed(WIRE_DECIMALS);
    const q = qty.toFixed(WIRE_DECIMALS);
    this.trades++;
    this.#exchange.onMarketTrade(this.symbol, p, q, t, buyerIsMaker);
    const sink = this.#sink;
    if (sink.wants(this.#tradeStream)) {
      const msg: TradeEventMsg = {
        e: "trade",
        E: t,
        s: this.symbol,
        t: lastId,
        p,
        q,
        T: t,
        m: buyerIsMaker,
        M: true,
      };
      sink.emit(this.#tradeStream, msg);
    }
    if (sink.wants(this.#aggTradeStream)) {
      const msg: AggTradeEventMsg = {
        e: "aggTrade",
        E: t,
        s: this.symbol,
        a: aggId,
        p,
        q,
        f: firstId,
        l: lastId,
        T: t,
        m: buyerIsMaker,
        M: true,
      };
      sink.emit(this.#aggTradeStream, msg);
    }
    const quoteQty = price.mul(qty);
    for (let i = 0; i < this.#series.length; i++) {
      const series = this.#series[i] as KlineSeries;
      if (series.addTrade(price, qty, quoteQty, buyerIsMaker, firstId, lastId, t)) {
        this.#emitOpenKline(i, t);
      }
    }
  }

  /** Sets absolute quantities of book levels through the exchange and publishes the change. */
  book(bids: readonly SimLevel[], asks: readonly SimLevel[], timeMs: number): SimBookUpdate | undefined {
    const t = this.advanceTo(timeMs);
    if (bids.length === 0 && asks.length === 0) return undefined;
    const update = this.#exchange.applyBookLevels(this.symbol, bids, asks);
    this.#publishDepth(update, t);
    return update;
  }

  /** Publishes a book change the exchange made itself (a user order taking liquidity). */
  external(update: SimBookUpdate): void {
    this.#publishDepth(update, Number.isFinite(this.#timeMs) ? this.#timeMs : update.timeMs);
  }

  /** Makes a captured kline the open kline of 1m and longer intervals (unless they know more trades). */
  seedKline(seed: KlineSeed, timeMs: number): void {
    const t = this.advanceTo(timeMs);
    if (seed.L >= this.#nextTradeId) this.#nextTradeId = seed.L + 1;
    for (let i = ONE_MINUTE_INDEX; i < this.#series.length; i++) {
      if ((this.#series[i] as KlineSeries).seed(seed, t)) this.#emitOpenKline(i, t);
    }
  }

  /** Moves the symbol's time forward: closes finished klines, emits the miniTicker each second. */
  advanceTo(timeMs: number): number {
    if (timeMs <= this.#timeMs) return this.#timeMs;
    const t = timeMs;
    this.#timeMs = t;
    const sink = this.#sink;
    for (let i = 0; i < this.#series.length; i++) {
      const closed = (this.#series[i] as KlineSeries).advanceTo(t);
      if (closed.length === 0) continue;
      if (i === ONE_MINUTE_INDEX) for (const k of closed) this.#day.push(k);
      const stream = this.#klineStreams[i] as string;
      if (!sink.wants(stream)) continue;
      const interval = KLINE_INTERVALS[i] as string;
      for (const k of closed)
        sink.emit(stream, klineEventMsg(this.symbol, interval, klineRecord(k, true), k.end));
    }
    const second = t - (t % 1000);
    if (this.#nextMiniTickerAt === undefined) this.#nextMiniTickerAt = second + 1000;
    else if (t >= this.#nextMiniTickerAt) {
      // A late pump emits one ticker for the current second, not the backlog.
      this.#nextMiniTickerAt = second + 1000;
      if (sink.wants(this.#miniTickerStream)) {
        const msg = this.#miniTicker(second);
        if (msg !== undefined) sink.emit(this.#miniTickerStream, msg);
      }
    }
    for (const p of this.#partials) {
      if (t < p.nextAt || p.version === this.#bookVersion || !sink.wants(p.stream)) continue;
      p.nextAt = t + p.periodMs;
      p.version = this.#bookVersion;
      const depth = this.#exchange.depth({ symbol: this.symbol, limit: p.limit });
      if (!depth.ok) continue;
      const msg: PartialDepthMsg = {
        lastUpdateId: depth.body.lastUpdateId,
        bids: depth.body.bids,
        asks: depth.body.asks,
      };
      sink.emit(p.stream, msg);
    }
    return t;
  }

  /** Returns klines of an interval by Binance's REST paging rule. */
  klines(
    interval: KlineInterval,
    startTime: number | undefined,
    endTime: number | undefined,
    limit: number,
  ): KlineRecord[] {
    return (this.#series[KLINE_INTERVALS.indexOf(interval)] as KlineSeries).query(startTime, endTime, limit);
  }

  /** Returns the series of an interval (tests and diagnostics). */
  series(interval: KlineInterval): KlineSeries {
    return this.#series[KLINE_INTERVALS.indexOf(interval)] as KlineSeries;
  }

  #emitOpenKline(index: number, t: number): void {
    const stream = this.#klineStreams[index] as string;
    if (!this.#sink.wants(stream)) return;
    const k = (this.#series[index] as KlineSeries).current();
    if (k !== undefined)
      this.#sink.emit(stream, klineEventMsg(this.symbol, KLINE_INTERVALS[index] as string, k, t));
  }

  #publishDepth(update: SimBookUpdate, t: number): void {
    this.bookUpdates++;
    this.#bookVersion++;
    const sink = this.#sink;
    const wantsDepth = sink.wants(this.#depthStream);
    const wants100 = sink.wants(this.#depth100Stream);
    if (wantsDepth || wants100) {
      // One object for both streams: the stream server serialises it once.
      const msg: DepthUpdateMsg = {
        e: "depthUpdate",
        E: t,
        s: this.symbol,
        U: update.firstUpdateId,
        u: update.lastUpdateId,
        b: update.bids,
        a: update.asks,
      };
      if (wantsDepth) sink.emit(this.#depthStream, msg);
      if (wants100) sink.emit(this.#depth100Stream, msg);
    }
    const top = this.#exchange.bookTicker(this.symbol);
    if (top === undefined) return;
    const key = `${top.b}|${top.B}|${top.a}|${top.A}`;
    if (key === this.#lastTicker) return;
    this.#lastTicker = key;
    if (sink.wants(this.#bookTickerStream)) {
      const msg: BookTickerMsg = { u: top.u, s: this.symbol, b: top.b, B: top.B, a: top.a, A: top.A };
      sink.emit(this.#bookTickerStream, msg);
    }
  }

  /** The rolling 24h statistics from the 1m klines (whole minutes) plus the open one. */
  #miniTicker(eventTime: number): MiniTickerMsg | undefined {
    const open = (this.#series[ONE_MINUTE_INDEX] as KlineSeries).currentValues();
    if (open === undefined) return undefined;
    this.#day.evictBefore(eventTime - DAY_MS);
    const stats = this.#day.stats(open);
    if (stats === undefined) return undefined;
    return {
      e: "24hrMiniTicker",
      E: eventTime,
      s: this.symbol,
      c: open.c.toFixed(WIRE_DECIMALS),
      o: stats.o.toFixed(WIRE_DECIMALS),
      h: stats.h.toFixed(WIRE_DECIMALS),
      l: stats.l.toFixed(WIRE_DECIMALS),
      v: stats.v.toFixed(WIRE_DECIMALS),
      q: stats.q.toFixed(WIRE_DECIMALS),
    };
  }
}
