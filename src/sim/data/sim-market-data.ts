import { DesError, ErrorCode } from "../../core/index.ts";
import type { SimExchangeApi, SimParams, SimResult, SimSymbolInfo } from "../exchange/sim-exchange-api.ts";
import { CaptureSource } from "./capture-source.ts";
import { parseKlinesRequest } from "./klines-request.ts";
import { KlinesSource } from "./klines-source.ts";
import { DEFAULT_SIM_DATA_SOURCES, type SimDataSourceConfig } from "./sim-data-source-config.ts";
import type { SimSource, SimSourcePosition } from "./sim-source.ts";
import { klineRow } from "./stream-payloads.ts";
import { type StreamSink, SymbolPublisher, symbolStreamNames } from "./symbol-publisher.ts";

/** Options of SimMarketData. */
export interface SimMarketDataOptions {
  readonly exchange: SimExchangeApi;
  /** Wall clock, ms (the simulator's server clock). */
  readonly now: () => number;
  /** Replay speed for every source (default: each source's own, capture 1, klines 60). */
  readonly speed?: number | undefined;
  /** Data sources (default DEFAULT_SIM_DATA_SOURCES: the bundled bars and the capture). */
  readonly sources?: readonly SimDataSourceConfig[] | undefined;
  /** Shift data times so the replay starts now (default true). */
  readonly rebaseToNow?: boolean | undefined;
  /** Closed klines kept per symbol and interval; older ones are dropped (default 2000). */
  readonly klineHistory?: number | undefined;
  /** Drive the replay with a timer after start() (default true); with false, call pump() yourself. */
  readonly autoPump?: boolean | undefined;
}

/** Receives every stream event with its stream name ("btcbusd@kline_1m"). */
export type StreamEventListener = (stream: string, payload: object) => void;

/** How far the replay is (for tests and /sim/state). */
export interface SimMarketPosition {
  readonly started: boolean;
  readonly running: boolean;
  readonly wallStartMs: number | undefined;
  readonly pumps: number;
  /** Events processed by all sources (frames, synthetic trades, generated steps). */
  readonly events: number;
  /** Stream listeners that threw (each failure is counted, the others still get the event). */
  readonly listenerErrors: number;
  readonly sources: readonly SimSourcePosition[];
}

interface Listener {
  readonly fn: StreamEventListener;
  readonly wants: (stream: string) => boolean;
}

const ALWAYS = (): boolean => true;
const MAX_PUMP_DELAY_MS = 100;

/**
 * The simulator's market: replays its data sources into the exchange (public book, trades) and out
 * as Binance stream events, and answers GET /api/v3/klines from the klines it built. Data files are
 * read synchronously in the constructor, which does not touch the exchange yet; start() begins the
 * replay at now() and a timer (unref'd) keeps it going; every pump() processes what is due at now().
 */
export class SimMarketData {
  readonly #exchange: SimExchangeApi;
  readonly #now: () => number;
  readonly #rebaseToNow: boolean;
  readonly #autoPump: boolean;
  readonly #sources: SimSource[];
  readonly #infos: SimSymbolInfo[];
  readonly #publishers = new Map<string, SymbolPublisher>();
  readonly #listeners: Listener[] = [];
  readonly #sink: StreamSink;
  #started = false;
  #running = false;
  #pumping = false;
  #wallStart: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pumps = 0;
  #events = 0;
  #listenerErrors = 0;

  /** Returns the exchangeInfo symbols the sources would trade (reads the data files; no exchange needed). */
  static symbolInfosOf(sources: readonly SimDataSourceConfig[] = DEFAULT_SIM_DATA_SOURCES): SimSymbolInfo[] {
    return collectInfos(sources.map((config) => createSource(config, undefined)));
  }

  constructor(options: SimMarketDataOptions) {
    this.#exchange = options.exchange;
    this.#now = options.now;
    this.#rebaseToNow = options.rebaseToNow ?? true;
    this.#autoPump = options.autoPump ?? true;
    const history = options.klineHistory ?? 2000;
    if (!Number.isInteger(history) || history < 1) {
      throw new DesError(ErrorCode.InvalidConfig, `klineHistory must be an integer >= 1, got ${history}`, {
        klineHistory: history,
      });
    }
    this.#sources = (options.sources ?? DEFAULT_SIM_DATA_SOURCES).map((c) => createSource(c, options.speed));
    this.#infos = collectInfos(this.#sources);
    this.#sink = {
      wants: (stream) => this.#wants(stream),
      emit: (stream, payload) => this.#emit(stream, payload),
    };
    for (const info of this.#infos) {
      this.#publishers.set(
        info.symbol,
        new SymbolPublisher(info.symbol, this.#exchange, this.#sink, history),
      );
    }
  }

  /** The symbols of every source, in exchangeInfo form (real filters for bars, derived for the capture). */
  symbolInfos(): SimSymbolInfo[] {
    return this.#infos;
  }

  /** Starts (or resumes) the replay; the first start fixes the wall time the data is rebased to. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (!this.#started) {
      this.#started = true;
      const wallStartMs = this.#now();
      this.#wallStart = wallStartMs;
      // Liquidity taken by user orders is part of the public book: publish it in the same id space.
      this.#exchange.onBookUpdate((update) => this.#publishers.get(update.symbol)?.external(update));
      const ctx = {
        exchange: this.#exchange,
        publishers: this.#publishers,
        wallStartMs,
        rebaseToNow: this.#rebaseToNow,
      };
      for (const source of this.#sources) source.begin(ctx);
    }
    this.pump();
    this.#schedule();
  }

  /** Pauses the replay (the data does not advance until start() again, which catches up). */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Processes every event due at now(); returns how many. Does nothing before start(). */
  pump(): number {
    if (!this.#running || this.#pumping) return 0;
    this.#pumping = true;
    try {
      const now = this.#now();
      let count = 0;
      for (const source of this.#sources) count += source.advance(now);
      this.#pumps++;
      this.#events += count;
      return count;
    } finally {
      this.#pumping = false;
    }
  }

  /** `GET /api/v3/klines` (reference 4.6): closed klines up to the replay position and the open one. */
  klines(params: SimParams): SimResult<unknown[][]> {
    const parsed = parseKlinesRequest(params, (s) => this.#publishers.has(s));
    if (!parsed.ok) return parsed;
    this.pump();
    const { symbol, interval, startTime, endTime, limit } = parsed.query;
    const publisher = this.#publishers.get(symbol) as SymbolPublisher;
    return { ok: true, body: publisher.klines(interval, startTime, endTime, limit).map(klineRow) };
  }

  /**
   * Calls the listener with every stream event (stream name, payload object). `wants` says which
   * streams it reads: optional events (kline intervals, miniTicker, partial depth) are built only when
   * some listener wants them. Returns the unsubscribe function.
   */
  onStreamEvent(listener: StreamEventListener, wants: (stream: string) => boolean = ALWAYS): () => void {
    const entry: Listener = { fn: listener, wants };
    this.#listeners.push(entry);
    return () => {
      const i = this.#listeners.indexOf(entry);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Every stream name that carries data (lowercase symbols, Binance's spelling). */
  streamNames(): string[] {
    return this.#infos.flatMap((info) => symbolStreamNames(info.symbol));
  }

  /** The publisher of a symbol (tests and diagnostics). */
  publisher(symbol: string): SymbolPublisher | undefined {
    return this.#publishers.get(symbol);
  }

  position(): SimMarketPosition {
    return {
      started: this.#started,
      running: this.#running,
      wallStartMs: this.#wallStart,
      pumps: this.#pumps,
      events: this.#events,
      listenerErrors: this.#listenerErrors,
      sources: this.#sources.map((s) => s.position()),
    };
  }

  #schedule(): void {
    if (!this.#autoPump || !this.#running) return;
    let due = Number.POSITIVE_INFINITY;
    for (const source of this.#sources) due = Math.min(due, source.nextDueWallMs());
    const delay = Math.max(1, Math.min(MAX_PUMP_DELAY_MS, Math.ceil(due - this.#now())));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.pump();
      this.#schedule();
    }, delay);
    this.#timer.unref();
  }

  #wants(stream: string): boolean {
    for (const l of this.#listeners) if (l.wants(stream)) return true;
    return false;
  }

  #emit(stream: string, payload: object): void {
    for (const l of this.#listeners) {
      if (!l.wants(stream)) continue;
      try {
        l.fn(stream, payload);
      } catch {
        this.#listenerErrors++;
      }
    }
  }
}

function createSource(config: SimDataSourceConfig, speed: number | undefined): SimSource {
  switch (config.kind) {
    case "capture":
      return new CaptureSource(config, speed);
    case "klines":
      return new KlinesSource(config, speed);
    default:
      throw new DesError(
        ErrorCode.InvalidConfig,
        `unknown sim data source kind ${JSON.stringify((config as { kind?: unknown }).kind)}: expected "capture" or "klines"`,
      );
  }
}

function collectInfos(sources: readonly SimSource[]): SimSymbolInfo[] {
  const infos: SimSymbolInfo[] = [];
  for (const source of sources) {
    for (const info of source.symbolInfos()) {
      if (infos.some((i) => i.symbol === info.symbol)) {
        throw new DesError(ErrorCode.InvalidConfig, `two sim data sources trade ${info.symbol}`, {
          symbol: info.symbol,
        });
      }
      infos.push(info);
    }
  }
  return infos;
}
