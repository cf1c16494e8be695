import type { Bar, QuoteTick, TradeTick } from "../../../model/index.ts";
import type { BinanceRestApi } from "../rest/binance-rest-api.ts";
import type { MiniTicker } from "../wire/parse-market-mini-ticker.ts";
import type { BackoffOptions } from "./backoff.ts";
import type { LocalOrderBook } from "./local-order-book.ts";
import type { MarketStreamLogger } from "./market-stream-logger.ts";

/** Where BinanceMarketStream delivers what it receives (a MarketDataSink fits). */
export interface MarketStreamSink {
  onTrade(trade: TradeTick): void;
  onQuote(quote: QuoteTick): void;
  /** Closed bars exactly once and in order; in-progress updates too unless forwardOpenBars is false. */
  onBar(bar: Bar): void;
  /** The book after it was rebuilt from a snapshot and after every diff applied. */
  onBookUpdate?(symbol: string, book: LocalOrderBook): void;
  onMiniTicker?(ticker: MiniTicker): void;
}

/** Settings of BinanceMarketStream; everything but the URL, the REST client and the sink has a default. */
export interface BinanceMarketStreamOptions {
  /** e.g. `wss://stream.binance.com:9443` or `ws://127.0.0.1:8090`; `/stream` is appended (a trailing `/ws` or `/stream` is replaced). */
  readonly streamBaseUrl: string;
  /**
   * "combined" (default): `/stream`, every frame wrapped as {"stream","data"}; "raw": `/ws`, bare
   * payloads, routed by the symbol they carry. Both take live SUBSCRIBE / UNSUBSCRIBE.
   */
  readonly endpoint?: "combined" | "raw";
  /** Snapshots for the order books and klines for the back-fill. */
  readonly rest: Pick<BinanceRestApi, "klines" | "depth">;
  readonly sink: MarketStreamSink;
  /** The receive-time clock (default: the wall clock in µs). */
  readonly nowMicros?: () => number;
  /** Reconnect back-off (default 100 ms doubling to 800 ms, jitter 0.5). */
  readonly backoff?: BackoffOptions;
  /** Connection attempts allowed in any 5 minutes (default 250; Binance allows 300 per IP). */
  readonly maxConnectAttemptsPer5Min?: number;
  /** No frame and no ping for this long, a LIST_SUBSCRIPTIONS probe at half of it included: the connection is replaced (default 10,000). */
  readonly silenceTimeoutMs?: number;
  /** Connections are replaced at this age, before Binance's 24 h limit (default 23 h 50 min). */
  readonly maxConnectionAgeMs?: number;
  /** Streams per connection (default and maximum 1024); more streams open more connections. */
  readonly maxStreamsPerConnection?: number;
  /** Streams named in one SUBSCRIBE / UNSUBSCRIBE message (default 200). */
  readonly maxStreamsPerControlMessage?: number;
  /** SUBSCRIBE / UNSUBSCRIBE messages per second per connection (default 4: Binance allows 5 incoming messages, pongs included). */
  readonly controlMessagesPerSecond?: number;
  /** `limit` of the depth snapshot request (default 1000). */
  readonly depthSnapshotLimit?: number;
  /** Diffs buffered per symbol while its snapshot is on its way (default 10,000; when full: dropped and resynced). */
  readonly bookBufferLimit?: number;
  /** start() rejects when the streams are not connected and subscribed within this time (default 30,000). */
  readonly startTimeoutMs?: number;
  /** WebSocket handshake timeout (default 10,000). */
  readonly connectTimeoutMs?: number;
  /** Largest frame accepted (default 4 MiB); a larger one closes the connection, which then reconnects. */
  readonly maxPayloadBytes?: number;
  /** Forward in-progress (closed=false) kline updates to the sink (default true). */
  readonly forwardOpenBars?: boolean;
  readonly logger?: MarketStreamLogger;
  /** Called with receive time minus trade time (ms) for every trade. */
  readonly onLagMs?: (ms: number) => void;
  /** Refuse Binance production hosts (*.binance.com, data-stream.binance.vision): for tests and simulation. */
  readonly forbidProductionHosts?: boolean;
  /** Source of jitter (default Math.random). */
  readonly random?: () => number;
}

/** Counters of a BinanceMarketStream; plain numbers the app turns into metrics. */
export interface BinanceMarketStreamStats {
  /** Sockets open now. */
  connections: number;
  connectAttempts: number;
  reconnects: number;
  silenceReconnects: number;
  shutdownReconnects: number;
  ageReconnects: number;
  /** Frames received (the messages/s rate derives from it). */
  messages: number;
  trades: number;
  quotes: number;
  bars: number;
  depthUpdates: number;
  miniTickers: number;
  /** Frames that were malformed or failed validation (counted and skipped). */
  parseErrors: number;
  /** Exceptions thrown by the sink (counted; the stream goes on). */
  sinkErrors: number;
  controlMessagesSent: number;
  controlErrors: number;
  /** LIST_SUBSCRIPTIONS liveness probes sent to silent connections. */
  probes: number;
  /** Receive time minus trade time of the last trade, in ms. */
  lastLagMs: number;
  bookResyncs: number;
  bookGaps: number;
  bookBufferOverflows: number;
  bookSnapshotErrors: number;
  /** Order books in step with the stream now. */
  booksSynced: number;
  backfilledBars: number;
  duplicateBarsDropped: number;
  backfillFailures: number;
  subscribedStreams: number;
}
