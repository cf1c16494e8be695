import type { InstrumentId } from "../../../core/index.ts";
import type { Bar, BarInterval } from "../../../model/index.ts";
import type { BinanceRestApi } from "../rest/binance-rest-api.ts";
import type { DepthUpdate } from "../wire/parse-market-depth-update.ts";
import { KlineSequencer } from "./kline-sequencer.ts";
import type { LocalOrderBook } from "./local-order-book.ts";
import type { MarketStreamLogger } from "./market-stream-logger.ts";
import { OrderBookSync } from "./order-book-sync.ts";
import type { ResolvedStream } from "./stream-spec.ts";

/** What StreamStates needs from the stream that owns it. */
export interface StreamStatesOptions {
  readonly rest: Pick<BinanceRestApi, "klines" | "depth">;
  readonly depthSnapshotLimit: number;
  readonly bookBufferLimit: number;
  readonly forwardOpenBars: boolean;
  /** Delay before another snapshot or back-fill attempt. */
  readonly retryDelayMs: (attempt: number) => number;
  readonly nowMicros: () => number;
  readonly logger: MarketStreamLogger;
  /** Receives each bar in order (closed ones exactly once). */
  readonly deliverBar: (bar: Bar) => void;
  /** Receives a book after it was rebuilt and after every diff. */
  readonly onBookUpdate: (symbol: InstrumentId, book: LocalOrderBook) => void;
}

/** Counters of the order books and kline streams, including those already unsubscribed. */
export interface StreamStatesStats {
  bookResyncs: number;
  bookGaps: number;
  bookBufferOverflows: number;
  bookSnapshotErrors: number;
  /** Order books in step with the stream now. */
  booksSynced: number;
  backfilledBars: number;
  duplicateBarsDropped: number;
  backfillFailures: number;
}

interface BookEntry {
  readonly sync: OrderBookSync;
  /** Depth streams (1000 ms and 100 ms) feeding it. */
  streams: number;
}

function zeroStats(): StreamStatesStats {
  return {
    bookResyncs: 0,
    bookGaps: 0,
    bookBufferOverflows: 0,
    bookSnapshotErrors: 0,
    booksSynced: 0,
    backfilledBars: 0,
    duplicateBarsDropped: 0,
    backfillFailures: 0,
  };
}

function addSync(s: StreamStatesStats, sync: OrderBookSync): void {
  s.bookResyncs += sync.stats.resyncs;
  s.bookGaps += sync.stats.gaps;
  s.bookBufferOverflows += sync.stats.bufferOverflows;
  s.bookSnapshotErrors += sync.stats.snapshotErrors;
}

function addSequencer(s: StreamStatesStats, sequencer: KlineSequencer): void {
  s.backfilledBars += sequencer.stats.backfilledBars;
  s.duplicateBarsDropped += sequencer.stats.duplicateBarsDropped;
  s.backfillFailures += sequencer.stats.backfillFailures;
}

/**
 * The state some streams carry across frames: one OrderBookSync per depth symbol and one
 * KlineSequencer per kline stream. Created on subscribe, dropped on unsubscribe (their counters
 * kept), resynced when the connection that carried them drops.
 */
export class StreamStates {
  readonly #opts: StreamStatesOptions;
  readonly #books = new Map<InstrumentId, BookEntry>();
  readonly #klines = new Map<InstrumentId, Map<BarInterval, KlineSequencer>>();
  readonly #retired = zeroStats();

  constructor(options: StreamStatesOptions) {
    this.#opts = options;
  }

  /** Creates the state a newly subscribed stream needs (a book, a kline sequencer, or nothing). */
  attach(stream: ResolvedStream): void {
    const id = stream.instrumentId;
    if (stream.kind === "depth") {
      const entry = this.#books.get(id);
      if (entry !== undefined) entry.streams++;
      else this.#books.set(id, { sync: this.#newSync(id), streams: 1 });
      return;
    }
    if (stream.kind === "kline" && stream.interval !== undefined) {
      let byInterval = this.#klines.get(id);
      if (byInterval === undefined) {
        byInterval = new Map();
        this.#klines.set(id, byInterval);
      }
      byInterval.set(stream.interval, this.#newSequencer(id, stream.interval));
    }
  }

  /** Drops the state of an unsubscribed stream, keeping its counters. */
  detach(stream: ResolvedStream): void {
    const id = stream.instrumentId;
    if (stream.kind === "depth") {
      const entry = this.#books.get(id);
      if (entry === undefined || --entry.streams > 0) return;
      entry.sync.stop();
      addSync(this.#retired, entry.sync);
      this.#books.delete(id);
      return;
    }
    if (stream.kind === "kline" && stream.interval !== undefined) {
      const byInterval = this.#klines.get(id);
      const sequencer = byInterval?.get(stream.interval);
      if (byInterval === undefined || sequencer === undefined) return;
      sequencer.stop();
      addSequencer(this.#retired, sequencer);
      byInterval.delete(stream.interval);
      if (byInterval.size === 0) this.#klines.delete(id);
    }
  }

  /** The connection that carried the stream dropped: its book is rebuilt, its klines back-filled. */
  onDown(stream: ResolvedStream): void {
    if (stream.kind === "depth") this.#books.get(stream.instrumentId)?.sync.restart();
    else if (stream.kind === "kline" && stream.interval !== undefined) {
      this.#klines.get(stream.instrumentId)?.get(stream.interval)?.markGap();
    }
  }

  /** Takes a kline frame; one of a stream just unsubscribed has no sequencer and is dropped. */
  onBar(bar: Bar): void {
    this.#klines.get(bar.instrumentId)?.get(bar.interval)?.onBar(bar);
  }

  /** Takes a depth diff; one of a symbol without a book is dropped. */
  onDepth(update: DepthUpdate): void {
    this.#books.get(update.instrumentId)?.sync.onDiff(update);
  }

  /** Returns the symbol's book while it is in step with the stream, else undefined. */
  orderBook(symbol: string): LocalOrderBook | undefined {
    const entry = this.#books.get(symbol as InstrumentId);
    return entry?.sync.synced ? entry.sync.book : undefined;
  }

  /** Stops every snapshot fetch and back-fill. */
  stop(): void {
    for (const entry of this.#books.values()) entry.sync.stop();
    for (const byInterval of this.#klines.values()) for (const s of byInterval.values()) s.stop();
  }

  /** Returns the counters. */
  stats(): StreamStatesStats {
    const s = { ...this.#retired };
    for (const { sync } of this.#books.values()) {
      if (sync.synced) s.booksSynced++;
      addSync(s, sync);
    }
    for (const byInterval of this.#klines.values()) for (const k of byInterval.values()) addSequencer(s, k);
    return s;
  }

  #newSync(id: InstrumentId): OrderBookSync {
    const { logger } = this.#opts;
    return new OrderBookSync({
      instrumentId: id,
      fetchSnapshot: () => this.#opts.rest.depth(id, this.#opts.depthSnapshotLimit),
      bufferLimit: this.#opts.bookBufferLimit,
      retryDelayMs: this.#opts.retryDelayMs,
      onUpdate: (book) => this.#opts.onBookUpdate(id, book),
      onResync: (reason, details) => {
        if (reason !== "restart") {
          logger.warn(
            { symbol: id, reason, ...details },
            "order book out of step; resyncing from a snapshot",
          );
        }
      },
      onSnapshotError: (reason) =>
        logger.warn({ symbol: id, reason }, "order book snapshot failed; retrying"),
    });
  }

  #newSequencer(id: InstrumentId, interval: BarInterval): KlineSequencer {
    const { logger } = this.#opts;
    return new KlineSequencer({
      instrumentId: id,
      interval,
      fetchKlines: (startTime, endTime, limit) =>
        this.#opts.rest.klines({ symbol: id, interval, startTime, endTime, limit }),
      deliver: this.#opts.deliverBar,
      forwardOpenBars: this.#opts.forwardOpenBars,
      nowMicros: this.#opts.nowMicros,
      retryDelayMs: this.#opts.retryDelayMs,
      onBackfillError: (reason, final) => {
        const details = { symbol: id, interval, reason };
        if (final) logger.error(details, "kline back-fill failed; bars of the gap are missing");
        else logger.warn(details, "kline back-fill attempt failed; retrying");
      },
    });
  }
}
