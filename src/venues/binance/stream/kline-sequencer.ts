import type { InstrumentId, UnixMicros } from "../../../core/index.ts";
import type { Bar, BarInterval } from "../../../model/index.ts";
import { marketIntervalMs } from "../wire/parse-market-interval.ts";
import { parseMarketKlineRow } from "../wire/parse-market-kline-row.ts";

/** Most rows one `GET /api/v3/klines` returns. */
const KLINES_PAGE_LIMIT = 1000;

/** Counters of one kline stream. */
export interface KlineSequencerStats {
  /** Closed bars delivered from REST after a reconnect. */
  backfilledBars: number;
  /** Closed bars dropped because a bar with the same or a later open time was already delivered. */
  duplicateBarsDropped: number;
  /** Back-fills given up after every attempt failed: the bars of that gap are missing. */
  backfillFailures: number;
  /** In-progress updates replaced by a newer one while a back-fill ran. */
  openBarsCoalesced: number;
}

/** What a KlineSequencer needs from its owner. */
export interface KlineSequencerOptions {
  readonly instrumentId: InstrumentId;
  readonly interval: BarInterval;
  /** `GET /api/v3/klines` for this symbol and interval between the two open times (ms, inclusive). */
  readonly fetchKlines: (startTime: number, endTime: number, limit: number) => Promise<unknown>;
  /** Receives bars in order; each closed bar exactly once. */
  readonly deliver: (bar: Bar) => void;
  /** Forward in-progress (closed=false) updates too (default true). */
  readonly forwardOpenBars?: boolean;
  /** Receive time for back-filled bars. */
  readonly nowMicros: () => number;
  /** Attempts per back-fill before giving up (default 3). */
  readonly maxAttempts?: number;
  /** Delay before another attempt. */
  readonly retryDelayMs: (attempt: number) => number;
  /** Told when a back-fill fails for good, or an attempt fails. */
  readonly onBackfillError?: (reason: string, final: boolean) => void;
}

/** Marks, in the queue, the point where the connection dropped. */
const GAP = "gap" as const;

/**
 * Delivers one kline stream's closed bars exactly once and in open-time order across reconnects.
 * After a reconnect (markGap), the first kline frame of the new connection starts a back-fill: REST
 * klines from the last delivered open time + interval up to that frame's open time - 1 ms are
 * delivered as closed bars, then the frames queued meanwhile. Any closed bar whose open time is at or
 * before the last delivered one is dropped and counted. The rule needs no clock.
 * In-progress updates are forwarded (unless forwardOpenBars is false) when they belong to a bar
 * after the last closed one; while a back-fill runs only the latest is kept. Closed bars queue during
 * a back-fill: at most one per interval arrives, so the queue stays small.
 */
export class KlineSequencer {
  readonly stats: KlineSequencerStats = {
    backfilledBars: 0,
    duplicateBarsDropped: 0,
    backfillFailures: 0,
    openBarsCoalesced: 0,
  };
  readonly #opts: KlineSequencerOptions;
  readonly #intervalMs: number;
  readonly #forwardOpen: boolean;
  /** Open time (ms) of the last closed bar delivered. */
  #lastClosedMs: number | undefined;
  #needsBackfill = false;
  #backfilling = false;
  #stopped = false;
  #queue: Array<Bar | typeof GAP> = [];
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: KlineSequencerOptions) {
    this.#opts = options;
    this.#intervalMs = marketIntervalMs(options.interval);
    this.#forwardOpen = options.forwardOpenBars ?? true;
  }

  /** Open time in ms of the last closed bar delivered, if any. */
  get lastClosedOpenTimeMs(): number | undefined {
    return this.#lastClosedMs;
  }

  /** True while bars are being fetched from REST. */
  get backfilling(): boolean {
    return this.#backfilling;
  }

  /** Takes one bar from the stream. */
  onBar(bar: Bar): void {
    if (this.#stopped) return;
    if (!this.#backfilling && !this.#needsBackfill && this.#queue.length === 0) {
      this.#deliverLive(bar);
      return;
    }
    const last = this.#queue[this.#queue.length - 1];
    if (!bar.closed && last !== undefined && last !== GAP && !last.closed) {
      this.#queue[this.#queue.length - 1] = bar;
      this.stats.openBarsCoalesced++;
    } else {
      this.#queue.push(bar);
    }
    this.#pump();
  }

  /** Notes that the connection dropped: the next frame starts a back-fill. */
  markGap(): void {
    if (this.#stopped) return;
    if (this.#backfilling || this.#queue.length > 0) this.#queue.push(GAP);
    else this.#needsBackfill = true;
  }

  /** Stops: queued bars are dropped, a running back-fill is ignored when it returns. */
  stop(): void {
    this.#stopped = true;
    this.#queue = [];
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  #pump(): void {
    while (!this.#backfilling && !this.#stopped) {
      const item = this.#queue[0];
      if (item === undefined) return;
      if (item === GAP) {
        this.#queue.shift();
        this.#needsBackfill = true;
        continue;
      }
      if (this.#needsBackfill) {
        this.#needsBackfill = false;
        const last = this.#lastClosedMs;
        const endMs = Math.floor(item.openTime / 1000) - 1;
        if (last !== undefined && last + this.#intervalMs <= endMs) {
          this.#backfilling = true;
          this.#backfill(last + this.#intervalMs, endMs, 0);
          return;
        }
      }
      this.#queue.shift();
      this.#deliverLive(item);
    }
  }

  #deliverLive(bar: Bar): void {
    const openMs = bar.openTime / 1000;
    const last = this.#lastClosedMs;
    if (bar.closed) {
      if (last !== undefined && openMs <= last) {
        this.stats.duplicateBarsDropped++;
        return;
      }
      this.#lastClosedMs = openMs;
      this.#opts.deliver(bar);
      return;
    }
    if (!this.#forwardOpen || (last !== undefined && openMs <= last)) return;
    this.#opts.deliver(bar);
  }

  #backfill(startMs: number, endMs: number, attempt: number): void {
    let request: Promise<unknown>;
    try {
      request = this.#opts.fetchKlines(startMs, endMs, KLINES_PAGE_LIMIT);
    } catch (thrown) {
      request = Promise.reject(thrown);
    }
    request.then(
      (rows) => {
        if (this.#stopped) return;
        const error = this.#deliverRows(rows, endMs);
        if (error !== undefined) {
          this.#failed(startMs, endMs, attempt, error);
          return;
        }
        const next = (this.#lastClosedMs ?? startMs - this.#intervalMs) + this.#intervalMs;
        if (Array.isArray(rows) && rows.length >= KLINES_PAGE_LIMIT && next > startMs && next <= endMs) {
          this.#backfill(next, endMs, 0);
          return;
        }
        this.#finish();
      },
      (thrown: unknown) => {
        if (this.#stopped) return;
        this.#failed(startMs, endMs, attempt, thrown instanceof Error ? thrown.message : String(thrown));
      },
    );
  }

  /** Delivers the closed bars of a REST page in order; returns the reason when the page is invalid. */
  #deliverRows(rows: unknown, endMs: number): string | undefined {
    if (!Array.isArray(rows)) return "klines response: expected an array of rows";
    const receivedAt = this.#opts.nowMicros() as UnixMicros;
    const bars: Bar[] = [];
    for (const row of rows) {
      const bar = parseMarketKlineRow(row, this.#opts.instrumentId, this.#opts.interval, receivedAt);
      if (typeof bar === "string") return bar;
      bars.push(bar);
    }
    // Validate the whole page before delivering any of it, so a retry cannot deliver a bar twice.
    for (const bar of bars) {
      const openMs = bar.openTime / 1000;
      if (openMs > endMs) continue;
      const last = this.#lastClosedMs;
      if (last !== undefined && openMs <= last) {
        this.stats.duplicateBarsDropped++;
        continue;
      }
      this.#lastClosedMs = openMs;
      this.stats.backfilledBars++;
      this.#opts.deliver(bar);
    }
    return undefined;
  }

  #failed(startMs: number, endMs: number, attempt: number, reason: string): void {
    const maxAttempts = this.#opts.maxAttempts ?? 3;
    if (attempt + 1 >= maxAttempts) {
      this.stats.backfillFailures++;
      this.#opts.onBackfillError?.(reason, true);
      this.#finish();
      return;
    }
    this.#opts.onBackfillError?.(reason, false);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#stopped) this.#backfill(startMs, endMs, attempt + 1);
    }, this.#opts.retryDelayMs(attempt));
    this.#retryTimer.unref();
  }

  #finish(): void {
    this.#backfilling = false;
    this.#pump();
  }
}
