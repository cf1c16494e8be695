import type { InstrumentId } from "../../../core/index.ts";
import { parseMarketDepthSnapshot } from "../wire/parse-market-depth-snapshot.ts";
import type { DepthUpdate } from "../wire/parse-market-depth-update.ts";
import { LocalOrderBook } from "./local-order-book.ts";

/** Where the sync is in Binance's procedure. */
export type OrderBookSyncState = "idle" | "buffering" | "fetching" | "live";

/** Why the sync started over; each is counted. */
export type ResyncReason = "gap" | "buffer-full" | "snapshot-behind" | "restart";

/** Counters of one symbol's sync. */
export interface OrderBookSyncStats {
  /** Times the book was discarded and rebuilt from a new snapshot (any reason). */
  resyncs: number;
  /** Diffs whose `U` skipped past the book's update id + 1. */
  gaps: number;
  /** Times the diff buffer filled while waiting for a snapshot (dropped, then resynced). */
  bufferOverflows: number;
  /** Snapshot requests that failed or returned an invalid body (retried after a delay). */
  snapshotErrors: number;
  /** Snapshots older than the first buffered diff (step 4: fetched again). */
  staleSnapshots: number;
  /** Diffs applied to the live book. */
  applied: number;
}

/** What OrderBookSync needs from its owner. */
export interface OrderBookSyncOptions {
  readonly instrumentId: InstrumentId;
  /** Fetches `GET /api/v3/depth` for the symbol (the body is validated here). */
  readonly fetchSnapshot: () => Promise<unknown>;
  /** Diffs kept while the snapshot is on its way; when full the buffer is dropped and the sync restarts. */
  readonly bufferLimit: number;
  /** Delay before fetching again after a failed or stale snapshot (attempt counts from 0). */
  readonly retryDelayMs: (attempt: number) => number;
  /** Called after the book changed: once when it is rebuilt from a snapshot, then after every diff. */
  readonly onUpdate?: (book: LocalOrderBook) => void;
  /** Called when the sync starts over, with the reason (for logging). */
  readonly onResync?: (reason: ResyncReason, details: Record<string, unknown>) => void;
  /** Called when a snapshot request fails. */
  readonly onSnapshotError?: (reason: string) => void;
}

/**
 * Keeps one LocalOrderBook in step with the diff-depth stream, following Binance's documented
 * procedure (reference section 2.6) verbatim:
 * buffer the diffs and note the first `U`; fetch a snapshot; if its `lastUpdateId` is below that `U`,
 * fetch again; drop buffered diffs with `u <= lastUpdateId`; the first remaining must contain
 * `lastUpdateId + 1`; set the book to the snapshot and apply the buffered, then the live diffs.
 * A live diff with `u` at or below the book's id is ignored; one whose `U` is above the book's id + 1
 * is a gap: the book is discarded and rebuilt (counted). The buffer holds at most `bufferLimit`
 * diffs; when full it is dropped and the procedure restarts (counted).
 */
export class OrderBookSync {
  readonly book: LocalOrderBook;
  readonly stats: OrderBookSyncStats = {
    resyncs: 0,
    gaps: 0,
    bufferOverflows: 0,
    snapshotErrors: 0,
    staleSnapshots: 0,
    applied: 0,
  };
  readonly #opts: OrderBookSyncOptions;
  #state: OrderBookSyncState = "buffering";
  #buffer: DepthUpdate[] = [];
  /** Bumped on every restart so answers to an older snapshot request are ignored. */
  #generation = 0;
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: OrderBookSyncOptions) {
    this.#opts = options;
    this.book = new LocalOrderBook(options.instrumentId);
  }

  get state(): OrderBookSyncState {
    return this.#state;
  }

  /** True when the book is in step with the stream. */
  get synced(): boolean {
    return this.#state === "live";
  }

  /** The number of diffs waiting for a snapshot. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Takes one diff from the stream. */
  onDiff(update: DepthUpdate): void {
    if (this.#state === "idle") return;
    if (this.#state === "live") {
      this.#applyLive(update);
      return;
    }
    if (this.#buffer.length >= this.#opts.bufferLimit) {
      this.stats.bufferOverflows++;
      this.#restart("buffer-full", { limit: this.#opts.bufferLimit });
    }
    this.#buffer.push(update);
    if (this.#state === "buffering") {
      this.#state = "fetching";
      this.#fetch(this.#generation);
    }
  }

  /** Discards the book and starts the procedure again (after a reconnect). */
  restart(): void {
    if (this.#state === "idle") return;
    this.#restart("restart", {});
  }

  /** Stops syncing: no more fetches, the book is cleared. */
  stop(): void {
    this.#generation++;
    this.#clearRetry();
    this.#state = "idle";
    this.#buffer = [];
    this.book.clear();
  }

  #restart(reason: ResyncReason, details: Record<string, unknown>): void {
    this.#generation++;
    this.#clearRetry();
    this.stats.resyncs++;
    this.#state = "buffering";
    this.#buffer = [];
    this.#attempt = 0;
    this.book.clear();
    this.#opts.onResync?.(reason, details);
  }

  #applyLive(update: DepthUpdate): void {
    const id = this.book.lastUpdateId;
    if (update.finalUpdateId <= id) return;
    if (update.firstUpdateId > id + 1) {
      this.stats.gaps++;
      this.#restart("gap", { bookUpdateId: id, firstUpdateId: update.firstUpdateId });
      this.onDiff(update);
      return;
    }
    this.book.apply(update.bids, update.asks, update.finalUpdateId);
    this.stats.applied++;
    this.#opts.onUpdate?.(this.book);
  }

  #fetch(generation: number): void {
    let request: Promise<unknown>;
    try {
      request = this.#opts.fetchSnapshot();
    } catch (thrown) {
      request = Promise.reject(thrown);
    }
    request.then(
      (body) => {
        if (generation === this.#generation) this.#onSnapshot(body);
      },
      (thrown: unknown) => {
        if (generation !== this.#generation) return;
        this.#snapshotFailed(thrown instanceof Error ? thrown.message : String(thrown));
      },
    );
  }

  #snapshotFailed(reason: string): void {
    this.stats.snapshotErrors++;
    this.#opts.onSnapshotError?.(reason);
    this.#retry();
  }

  #retry(): void {
    const generation = this.#generation;
    const delay = this.#opts.retryDelayMs(this.#attempt++);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (generation === this.#generation) this.#fetch(generation);
    }, delay);
    this.#retryTimer.unref();
  }

  #clearRetry(): void {
    if (this.#retryTimer !== undefined) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
  }

  #onSnapshot(body: unknown): void {
    const snapshot = parseMarketDepthSnapshot(body);
    if (typeof snapshot === "string") {
      this.#snapshotFailed(snapshot);
      return;
    }
    const first = this.#buffer[0];
    const lastUpdateId = snapshot.lastUpdateId;
    // Step 4: a snapshot older than the first buffered event cannot be continued by it.
    if (first !== undefined && lastUpdateId < first.firstUpdateId) {
      this.stats.staleSnapshots++;
      this.#retry();
      return;
    }
    // Step 5: discard buffered events the snapshot already contains.
    const pending = this.#buffer.filter((u) => u.finalUpdateId > lastUpdateId);
    this.#buffer = [];
    const head = pending[0];
    if (head !== undefined && head.firstUpdateId > lastUpdateId + 1) {
      this.stats.gaps++;
      this.#restart("gap", { snapshotUpdateId: lastUpdateId, firstUpdateId: head.firstUpdateId });
      for (const u of pending) this.onDiff(u);
      return;
    }
    // Steps 6-7: the book is the snapshot; apply the buffered events through the live rule.
    this.book.reset(lastUpdateId, snapshot.bids, snapshot.asks);
    this.#state = "live";
    this.#attempt = 0;
    this.#opts.onUpdate?.(this.book);
    for (const u of pending) {
      if (this.#state !== "live") {
        this.onDiff(u);
        continue;
      }
      this.#applyLive(u);
    }
  }
}
