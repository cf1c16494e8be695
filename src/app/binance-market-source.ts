import type { Logger } from "pino";
import { DesError, ErrorCode, type InstrumentId, type UnixMicros } from "../core/index.ts";
import { type MarketDataSink, parseKlineRow } from "../market/index.ts";
import { type Bar, type Instrument, parseExchangeInfo } from "../model/index.ts";
import { MetricName, type MetricsRegistry } from "../monitor/index.ts";
import type { WarmupSource } from "../strategy/index.ts";
import { BinanceMarketStream, type BinanceMarketStreamStats } from "../venues/binance/index.ts";
import type { BinanceConnection } from "./binance-connection.ts";
import type { DesConfig } from "./config-schema.ts";
import type { MarketSource, SourceHealth } from "./market-source.ts";

/** Binance returns at most this many klines per request. */
const MAX_KLINES_PER_REQUEST = 1000;

/** Options of the live Binance market source. */
export interface BinanceMarketSourceOptions {
  readonly config: DesConfig;
  readonly connection: BinanceConnection;
  readonly sink: MarketDataSink;
  readonly logger: Logger;
  /** Subscribe trades too (the paper venue fills market orders at the next trade). */
  readonly withTrades: boolean;
}

/**
 * Live market data from Binance: instruments and filters from exchangeInfo, warm-up bars from REST
 * klines, closed 1m klines (back-filled after every reconnect, so none is lost or doubled) and, for
 * the paper venue, trades, from the market streams. The MarketDataEngine resamples 1m bars into
 * every interval the strategies ask for, exactly as with the replay.
 */
export class BinanceMarketSource implements MarketSource {
  readonly kind = "binance" as const;
  readonly instruments: ReadonlyMap<InstrumentId, Instrument>;
  readonly warmup: WarmupSource;
  readonly stream: BinanceMarketStream;
  readonly #withTrades: boolean;
  readonly #subscribed = new Set<InstrumentId>();
  readonly #lagMs: Array<(ms: number) => void> = [];
  #started = false;

  private constructor(
    options: BinanceMarketSourceOptions,
    instruments: ReadonlyMap<InstrumentId, Instrument>,
  ) {
    const { config, connection } = options;
    this.instruments = instruments;
    this.#withTrades = options.withTrades;
    const rest = connection.rest;
    this.warmup = {
      historicalBars: (id, interval, count, before) => warmupBars(rest, id, interval, count, before),
    };
    const log = options.logger.child({ part: "binance-market-stream" });
    this.stream = new BinanceMarketStream({
      streamBaseUrl: connection.endpoints.streamBaseUrl,
      rest,
      sink: options.sink,
      backoff: { maxMs: config.binanceReconnectMaxMs },
      silenceTimeoutMs: config.binanceSilenceTimeoutMs,
      forwardOpenBars: false,
      forbidProductionHosts: connection.forbidProductionHosts,
      onLagMs: (ms) => {
        for (const record of this.#lagMs) record(ms);
      },
      logger: log,
    });
  }

  /** Reads the instruments' filters from exchangeInfo; throws naming a symbol Binance does not list. */
  static async open(
    options: BinanceMarketSourceOptions,
    symbols: readonly string[],
  ): Promise<BinanceMarketSource> {
    const info = await options.connection.rest.exchangeInfo(symbols);
    const instruments = parseExchangeInfo(info);
    for (const symbol of symbols) {
      if (!instruments.has(symbol as InstrumentId)) {
        throw new DesError(ErrorCode.UnknownInstrument, `Binance does not list ${symbol}`, {
          instrumentId: symbol,
        });
      }
    }
    return new BinanceMarketSource(options, instruments);
  }

  ensureInstrument(instrumentId: InstrumentId): void {
    if (!this.instruments.has(instrumentId)) {
      throw new DesError(
        ErrorCode.UnknownInstrument,
        `instrument ${instrumentId} was not loaded from Binance`,
        {
          instrumentId,
        },
      );
    }
    if (this.#subscribed.has(instrumentId)) return;
    this.#subscribed.add(instrumentId);
    this.stream.subscribe([
      { kind: "kline", symbol: instrumentId, interval: "1m" },
      ...(this.#withTrades ? [{ kind: "trade" as const, symbol: instrumentId }] : []),
    ]);
  }

  async start(): Promise<void> {
    this.#started = true;
    await this.stream.start();
  }

  async stop(): Promise<void> {
    if (this.#started) await this.stream.stop();
  }

  health(): SourceHealth {
    const s = this.stream.stats();
    return s.connections > 0
      ? { status: "ok" }
      : { status: "degraded", detail: "no market stream connection" };
  }

  registerMetrics(registry: MetricsRegistry): void {
    const stats = (): BinanceMarketStreamStats => this.stream.stats();
    registry.counterFn(
      MetricName.BinanceStreamReconnects,
      "Market stream reconnections",
      () => stats().reconnects,
    );
    registry.counterFn(
      MetricName.BinanceStreamMessages,
      "Market stream frames received",
      () => stats().messages,
    );
    registry.gaugeFn(
      MetricName.BinanceStreamMessagesPerSecond,
      "Market stream frames received per second",
      rate(() => stats().messages),
    );
    registry.counterFn(
      MetricName.BinanceStreamParseErrors,
      "Market stream frames that were malformed or failed validation (counted and skipped)",
      () => stats().parseErrors,
    );
    registry.gaugeFn(
      MetricName.BinanceStreamConnections,
      "Market stream connections open now",
      () => stats().connections,
    );
    registry.counterFn(
      MetricName.BinanceStreamBackfilledBars,
      "Closed klines back-filled over REST after a reconnect",
      () => stats().backfilledBars,
    );
    registry.counterFn(
      MetricName.BinanceStreamDuplicateBars,
      "Closed klines received twice (stream and back-fill) and delivered once",
      () => stats().duplicateBarsDropped,
    );
    registry.counterFn(
      MetricName.BinanceBookResyncs,
      "Order-book resyncs (gap in update ids, reconnect)",
      () => stats().bookResyncs,
    );
    const lag = registry.histogram(
      MetricName.BinanceStreamLag,
      "Receive time minus Binance's trade time, microseconds",
    );
    this.#lagMs.push((ms) => lag.record(Math.max(0, Math.round(ms * 1000))));
  }
}

/** Returns a reader of the per-second rate of a counter, measured between two reads at least 1 s apart. */
function rate(read: () => number): () => number {
  let lastValue = read();
  let lastAt = Date.now();
  let lastRate = 0;
  return () => {
    const now = Date.now();
    if (now - lastAt >= 1000) {
      const value = read();
      lastRate = ((value - lastValue) * 1000) / (now - lastAt);
      lastValue = value;
      lastAt = now;
    }
    return lastRate;
  };
}

/** Fetches up to `count` closed bars that closed before `before`, oldest first, from REST klines. */
async function warmupBars(
  rest: BinanceConnection["rest"],
  instrumentId: InstrumentId,
  interval: Bar["interval"],
  count: number,
  before: UnixMicros,
): Promise<readonly Bar[]> {
  if (count <= 0) return [];
  const rows = await rest.klines({
    symbol: instrumentId,
    interval,
    endTime: Math.floor(before / 1000) - 1,
    limit: Math.min(count + 1, MAX_KLINES_PER_REQUEST),
  });
  const bars = rows
    .map((row) => parseKlineRow(row, { instrumentId, interval }))
    .filter((bar) => bar.closeTime < before);
  return bars.slice(-count);
}
