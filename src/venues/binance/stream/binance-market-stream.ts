import { DesError, ErrorCode } from "../../../core/index.ts";
import type { Bar } from "../../../model/index.ts";
import { isProductionUrl } from "../binance-environment.ts";
import { type FrameError, parseMarketFrame } from "../wire/parse-market-frame.ts";
import { Backoff } from "./backoff.ts";
import type {
  BinanceMarketStreamOptions,
  BinanceMarketStreamStats,
  MarketStreamSink,
} from "./binance-market-stream-options.ts";
import type { LocalOrderBook } from "./local-order-book.ts";
import { type MarketStreamLogger, silentLogger } from "./market-stream-logger.ts";
import { SlidingWindowLimit } from "./sliding-window-limit.ts";
import { StreamConnection, type StreamConnectionHandler } from "./stream-connection.ts";
import { type ResolvedStream, resolveStream, type StreamSpec } from "./stream-spec.ts";
import { StreamStates } from "./stream-states.ts";
import { ThrottledLog } from "./throttled-log.ts";

const MAX_STREAMS_PER_CONNECTION = 1024;
const FIVE_MINUTES_MS = 5 * 60 * 1000;
/** setTimeout cannot wait longer than 2^31 - 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type State = "new" | "starting" | "running" | "stopped";

function positiveInt(
  value: number | undefined,
  fallback: number,
  name: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > max) {
    throw new DesError(ErrorCode.InvalidConfig, `${name} must be an integer in 1..${max}, got ${v}`, {
      [name]: v,
    });
  }
  return v;
}

/** Returns the stream endpoint for a base URL: `<base>/stream` (combined) or `<base>/ws` (raw). */
function streamEndpoint(base: string, forbidProduction: boolean, endpoint: "combined" | "raw"): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new DesError(ErrorCode.InvalidConfig, `streamBaseUrl is not a URL: ${JSON.stringify(base)}`, {
      base,
    });
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `streamBaseUrl must be ws:// or wss://, got ${url.protocol}`,
      { base },
    );
  }
  if (forbidProduction && isProductionUrl(base)) {
    throw new DesError(
      ErrorCode.ProductionNotConfirmed,
      `streamBaseUrl ${url.host} is a Binance production host, which this configuration forbids`,
      { host: url.host },
    );
  }
  const path = url.pathname.replace(/\/+$/, "").replace(/\/(ws|stream)$/, "");
  return `${url.protocol}//${url.host}${path}/${endpoint === "raw" ? "ws" : "stream"}`;
}

/**
 * Binance spot market data over WebSocket: trades, aggregate trades, book tickers, klines, diff
 * depth and mini tickers on the combined endpoint, parsed into DES events and handed to a sink.
 *
 * - Streams are subscribed live (SUBSCRIBE / UNSUBSCRIBE in batches, rate-limited per connection);
 *   more than maxStreamsPerConnection streams open more connections.
 * - Each connection reconnects forever (back-off with jitter, within the connect-attempt budget),
 *   resubscribes, and is replaced when silent, when old, or on `serverShutdown`.
 * - Closed bars reach the sink exactly once and in order: after a reconnect the bars closed during
 *   the gap are back-filled from REST (KlineSequencer). In-progress bars are forwarded with
 *   closed=false unless forwardOpenBars is false.
 * - Each depth symbol has a LocalOrderBook kept by Binance's snapshot + diff procedure
 *   (OrderBookSync), rebuilt after a gap and after every reconnect.
 * - Malformed frames are counted and logged (at most one line per second), never thrown; the
 *   connection stays. A sink that throws is counted and logged the same way.
 */
export class BinanceMarketStream {
  readonly #url: string;
  readonly #sink: MarketStreamSink;
  readonly #nowMicros: () => number;
  readonly #logger: MarketStreamLogger;
  readonly #onLagMs: ((ms: number) => void) | undefined;
  readonly #backoffOptions: BinanceMarketStreamOptions["backoff"];
  readonly #random: () => number;
  readonly #connectBudget: SlidingWindowLimit;
  readonly #maxStreamsPerConnection: number;
  readonly #maxStreamsPerMessage: number;
  readonly #controlPerSecond: number;
  readonly #silenceTimeoutMs: number;
  readonly #maxAgeMs: number;
  readonly #connectTimeoutMs: number;
  readonly #maxPayloadBytes: number;
  readonly #startTimeoutMs: number;
  readonly #handler: StreamConnectionHandler;
  readonly #parseErrorLog: ThrottledLog;
  readonly #sinkErrorLog: ThrottledLog;

  #state: State = "new";
  #nextRequestId = 1;
  readonly #streams = new Map<string, ResolvedStream>();
  readonly #assignment = new Map<string, StreamConnection>();
  #connections: StreamConnection[] = [];
  readonly #closing = new Set<Promise<void>>();
  readonly #states: StreamStates;
  /** Counters of connections that no longer exist. */
  readonly #retired = {
    connectAttempts: 0,
    reconnects: 0,
    silenceReconnects: 0,
    shutdownReconnects: 0,
    ageReconnects: 0,
    controlMessagesSent: 0,
    controlErrors: 0,
    probes: 0,
  };
  #messages = 0;
  #trades = 0;
  #quotes = 0;
  #bars = 0;
  #depthUpdates = 0;
  #miniTickers = 0;
  #parseErrors = 0;
  #sinkErrors = 0;
  #lastLagMs = 0;

  constructor(options: BinanceMarketStreamOptions) {
    this.#url = streamEndpoint(
      options.streamBaseUrl,
      options.forbidProductionHosts ?? false,
      options.endpoint ?? "combined",
    );
    this.#sink = options.sink;
    const origin = performance.timeOrigin;
    this.#nowMicros = options.nowMicros ?? (() => Math.floor((origin + performance.now()) * 1000));
    this.#logger = options.logger ?? silentLogger;
    this.#onLagMs = options.onLagMs;
    this.#backoffOptions = options.backoff;
    this.#random = options.random ?? Math.random;
    this.#connectBudget = new SlidingWindowLimit(
      positiveInt(options.maxConnectAttemptsPer5Min, 250, "maxConnectAttemptsPer5Min", 300),
      FIVE_MINUTES_MS,
    );
    this.#maxStreamsPerConnection = positiveInt(
      options.maxStreamsPerConnection,
      MAX_STREAMS_PER_CONNECTION,
      "maxStreamsPerConnection",
      MAX_STREAMS_PER_CONNECTION,
    );
    this.#maxStreamsPerMessage = positiveInt(
      options.maxStreamsPerControlMessage,
      200,
      "maxStreamsPerControlMessage",
    );
    this.#controlPerSecond = positiveInt(options.controlMessagesPerSecond, 4, "controlMessagesPerSecond", 5);
    this.#silenceTimeoutMs = positiveInt(options.silenceTimeoutMs, 10_000, "silenceTimeoutMs", MAX_TIMER_MS);
    this.#maxAgeMs = positiveInt(
      options.maxConnectionAgeMs,
      (23 * 60 + 50) * 60_000,
      "maxConnectionAgeMs",
      MAX_TIMER_MS,
    );
    this.#connectTimeoutMs = positiveInt(options.connectTimeoutMs, 10_000, "connectTimeoutMs", MAX_TIMER_MS);
    this.#maxPayloadBytes = positiveInt(options.maxPayloadBytes, 4 * 1024 * 1024, "maxPayloadBytes");
    this.#startTimeoutMs = positiveInt(options.startTimeoutMs, 30_000, "startTimeoutMs", MAX_TIMER_MS);
    const retryBackoff = new Backoff(options.backoff, this.#random);
    this.#states = new StreamStates({
      rest: options.rest,
      depthSnapshotLimit: positiveInt(options.depthSnapshotLimit, 1000, "depthSnapshotLimit", 5000),
      bookBufferLimit: positiveInt(options.bookBufferLimit, 10_000, "bookBufferLimit"),
      forwardOpenBars: options.forwardOpenBars ?? true,
      retryDelayMs: (attempt) => retryBackoff.delayFor(attempt),
      nowMicros: this.#nowMicros,
      logger: this.#logger,
      deliverBar: (bar) => this.#deliverBar(bar),
      onBookUpdate: (symbol, book) => {
        try {
          this.#sink.onBookUpdate?.(symbol, book);
        } catch (thrown) {
          this.#sinkFailed(thrown, "book");
        }
      },
    });
    this.#parseErrorLog = new ThrottledLog(this.#logger, "warn", "malformed market frames skipped");
    this.#sinkErrorLog = new ThrottledLog(this.#logger, "error", "market data sink threw");
    this.#handler = {
      onMessage: (data, connection) => this.#onMessage(data, connection),
      onBinary: () => {
        this.#messages++;
        this.#onParseError({ kind: "error", reason: "binary frame", stream: undefined }, "");
      },
      onDown: (connection) => this.#onDown(connection),
    };
  }

  /** The combined-stream endpoint in use. */
  get url(): string {
    return this.#url;
  }

  /** Adds streams (a spec already subscribed is ignored); they go live at once when started. */
  subscribe(specs: readonly StreamSpec[]): void {
    if (this.#state === "stopped") {
      throw new DesError(ErrorCode.VenueUnavailable, "market stream is stopped", { url: this.#url });
    }
    const resolved = specs.map(resolveStream);
    const added = new Map<StreamConnection, string[]>();
    for (const stream of resolved) {
      if (this.#streams.has(stream.name)) continue;
      this.#streams.set(stream.name, stream);
      this.#states.attach(stream);
      const connection = this.#connectionWithRoom(added);
      this.#assignment.set(stream.name, connection);
      let names = added.get(connection);
      if (names === undefined) {
        names = [];
        added.set(connection, names);
      }
      names.push(stream.name);
    }
    for (const [connection, names] of added) {
      connection.add(names);
      if (this.#state !== "new") connection.start();
    }
  }

  /** Removes streams (unknown ones are ignored); a connection left without streams is closed. */
  unsubscribe(specs: readonly StreamSpec[]): void {
    const resolved = specs.map(resolveStream);
    const removed = new Map<StreamConnection, string[]>();
    for (const stream of resolved) {
      const connection = this.#assignment.get(stream.name);
      if (connection === undefined) continue;
      this.#streams.delete(stream.name);
      this.#assignment.delete(stream.name);
      this.#states.detach(stream);
      let names = removed.get(connection);
      if (names === undefined) {
        names = [];
        removed.set(connection, names);
      }
      names.push(stream.name);
    }
    for (const [connection, names] of removed) {
      connection.remove(names);
      if (connection.size === 0) this.#retireConnection(connection);
    }
  }

  /**
   * Connects every connection and subscribes every stream. Resolves when all are subscribed; rejects
   * (and stops) when that takes longer than startTimeoutMs or Binance refuses a subscription.
   */
  async start(): Promise<void> {
    if (this.#state !== "new") {
      throw new DesError(ErrorCode.VenueUnavailable, `market stream cannot start: it is ${this.#state}`, {
        url: this.#url,
      });
    }
    this.#state = "starting";
    for (const connection of this.#connections) connection.start();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new DesError(
            ErrorCode.VenueUnavailable,
            `market stream not connected and subscribed within ${this.#startTimeoutMs} ms`,
            { url: this.#url, streams: this.#streams.size, connections: this.#connections.length },
          ),
        );
      }, this.#startTimeoutMs);
    });
    try {
      await Promise.race([Promise.all(this.#connections.map((c) => c.whenReady())), timeout]);
      if (this.#state === "starting") this.#state = "running";
    } catch (thrown) {
      await this.stop();
      throw thrown;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every connection and stops book syncs and back-fills; the stream cannot be started again. */
  async stop(): Promise<void> {
    this.#state = "stopped";
    this.#states.stop();
    const closing = this.#connections.map((c) => c.close());
    await Promise.all([...closing, ...this.#closing]);
  }

  /** Returns the symbol's order book while it is in step with the stream, else undefined. */
  orderBook(symbol: string): LocalOrderBook | undefined {
    return this.#states.orderBook(symbol);
  }

  /** Returns the counters. */
  stats(): BinanceMarketStreamStats {
    const r = this.#retired;
    const s: BinanceMarketStreamStats = {
      connections: 0,
      connectAttempts: r.connectAttempts,
      reconnects: r.reconnects,
      silenceReconnects: r.silenceReconnects,
      shutdownReconnects: r.shutdownReconnects,
      ageReconnects: r.ageReconnects,
      messages: this.#messages,
      trades: this.#trades,
      quotes: this.#quotes,
      bars: this.#bars,
      depthUpdates: this.#depthUpdates,
      miniTickers: this.#miniTickers,
      parseErrors: this.#parseErrors,
      sinkErrors: this.#sinkErrors,
      controlMessagesSent: r.controlMessagesSent,
      controlErrors: r.controlErrors,
      probes: r.probes,
      lastLagMs: this.#lastLagMs,
      ...this.#states.stats(),
      subscribedStreams: this.#streams.size,
    };
    for (const c of this.#connections) {
      if (c.isOpen) s.connections++;
      s.connectAttempts += c.stats.connectAttempts;
      s.reconnects += c.stats.reconnects;
      s.silenceReconnects += c.stats.silenceReconnects;
      s.shutdownReconnects += c.stats.shutdownReconnects;
      s.ageReconnects += c.stats.ageReconnects;
      s.controlMessagesSent += c.stats.controlMessagesSent;
      s.controlErrors += c.stats.controlErrors;
      s.probes += c.stats.probes;
    }
    return s;
  }

  /** The hot path: one frame in, at most one event out. */
  #onMessage(data: Buffer, connection: StreamConnection): void {
    this.#messages++;
    const text = data.toString();
    const frame = parseMarketFrame(text, this.#nowMicros());
    try {
      switch (frame.kind) {
        case "trade": {
          this.#trades++;
          const lagMs = (frame.receivedAt - frame.eventTime) / 1000;
          this.#lastLagMs = lagMs;
          this.#onLagMs?.(lagMs);
          this.#sink.onTrade(frame);
          break;
        }
        case "quote":
          this.#quotes++;
          this.#sink.onQuote(frame);
          break;
        case "bar":
          this.#states.onBar(frame);
          break;
        case "depth":
          this.#depthUpdates++;
          this.#states.onDepth(frame);
          break;
        case "miniTicker":
          this.#miniTickers++;
          this.#sink.onMiniTicker?.(frame);
          break;
        case "serverShutdown":
          connection.reconnect("serverShutdown");
          break;
        case "controlResult":
          connection.onControlResult(frame);
          break;
        case "controlError":
          connection.onControlError(frame);
          break;
        case "error":
          this.#onParseError(frame, text);
          break;
      }
    } catch (thrown) {
      this.#sinkFailed(thrown, frame.kind);
    }
  }

  #deliverBar(bar: Bar): void {
    this.#bars++;
    try {
      this.#sink.onBar(bar);
    } catch (thrown) {
      this.#sinkFailed(thrown, "bar");
    }
  }

  #onParseError(frame: FrameError, text: string): void {
    this.#parseErrors++;
    this.#parseErrorLog.hit(() => ({
      url: this.#url,
      reason: frame.reason,
      stream: frame.stream,
      sample: text.length > 200 ? `${text.slice(0, 200)}...` : text,
      total: this.#parseErrors,
    }));
  }

  #sinkFailed(thrown: unknown, kind: string): void {
    this.#sinkErrors++;
    this.#sinkErrorLog.hit(() => ({
      kind,
      err: thrown instanceof Error ? thrown.message : String(thrown),
      total: this.#sinkErrors,
    }));
  }

  /** A connection dropped: every book it fed is rebuilt, every kline stream it carried back-fills. */
  #onDown(connection: StreamConnection): void {
    for (const name of connection.streams) {
      const stream = this.#streams.get(name);
      if (stream !== undefined) this.#states.onDown(stream);
    }
  }

  #connectionWithRoom(added: Map<StreamConnection, string[]>): StreamConnection {
    for (const c of this.#connections) {
      if (c.size + (added.get(c)?.length ?? 0) < this.#maxStreamsPerConnection) return c;
    }
    const connection = new StreamConnection({
      url: this.#url,
      controlMessagesPerSecond: this.#controlPerSecond,
      maxStreamsPerMessage: this.#maxStreamsPerMessage,
      silenceTimeoutMs: this.#silenceTimeoutMs,
      maxConnectionAgeMs: this.#maxAgeMs,
      connectTimeoutMs: this.#connectTimeoutMs,
      maxPayloadBytes: this.#maxPayloadBytes,
      backoff: new Backoff(this.#backoffOptions, this.#random),
      connectBudget: this.#connectBudget,
      nowMs: () => performance.now(),
      nextRequestId: () => this.#nextRequestId++,
      logger: this.#logger,
      handler: this.#handler,
    });
    this.#connections.push(connection);
    return connection;
  }

  #retireConnection(connection: StreamConnection): void {
    this.#connections = this.#connections.filter((c) => c !== connection);
    const r = this.#retired;
    const s = connection.stats;
    r.connectAttempts += s.connectAttempts;
    r.reconnects += s.reconnects;
    r.silenceReconnects += s.silenceReconnects;
    r.shutdownReconnects += s.shutdownReconnects;
    r.ageReconnects += s.ageReconnects;
    r.controlMessagesSent += s.controlMessagesSent;
    r.controlErrors += s.controlErrors;
    r.probes += s.probes;
    const closing = connection.close();
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
  }
}
